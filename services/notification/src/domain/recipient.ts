/**
 * What notification knows about a user: a projection of identity's events (and, when
 * configured, identity's answers), kept in notification's own schema so sending never waits
 * for identity.
 */
export interface Recipient {
  userId: string;
  email: string;
  name: string;
  /** BCP 47; "" when the user has none. */
  locale: string;
  isAdmin: boolean;
  /** The account was deleted: nothing is sent to it any more. */
  deleted: boolean;
  updateTime: Date;
}
