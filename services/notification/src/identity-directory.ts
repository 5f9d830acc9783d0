import { IdentityService, Role, type User } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { createServiceToken } from "@shopmesh/kit/auth";
import type { Logger } from "@shopmesh/kit/log";
import type { Metrics } from "@shopmesh/kit/metrics";
import { type ChannelTls, Code, createRpcClient, RpcError } from "@shopmesh/kit/rpc";
import type { RecipientFacts } from "./store/index.ts";

/**
 * identity asked directly, as the service "notification" (a service token passes identity's
 * users.read rule). Used for what identity's events cannot tell: users registered before
 * notification first ran, accounts created with a role (the seeded admin has no
 * UserRolesChanged), and the new values of a ProfileUpdated.
 */
export interface IdentityDirectory {
  /** The user's current facts; undefined when identity does not know them (or they were deleted). */
  user(userId: string): Promise<Required<RecipientFacts> | undefined>;
  /** Every user with the admin role. */
  admins(): Promise<Required<RecipientFacts>[]>;
  close(): void;
}

export interface IdentityDirectoryOptions {
  address: string;
  serviceTokenSecret: string;
  tls?: ChannelTls;
  logger?: Logger;
  metrics?: Metrics;
}

export function createIdentityDirectory(options: IdentityDirectoryOptions): IdentityDirectory {
  const client = createRpcClient(IdentityService, {
    address: options.address,
    tls: options.tls,
    logger: options.logger,
    metrics: options.metrics,
    serviceToken: createServiceToken({ service: "notification", secret: options.serviceTokenSecret }),
  });
  return {
    async user(userId) {
      try {
        const { user } = await client.getUser({ userId });
        return user ? facts(user) : undefined;
      } catch (error) {
        if (error instanceof RpcError && error.code === Code.NotFound) return undefined;
        throw error;
      }
    },
    async admins() {
      const admins: Required<RecipientFacts>[] = [];
      let pageToken = "";
      do {
        const page = await client.listUsers({ role: Role.ADMIN, pageSize: 200, pageToken });
        admins.push(...page.users.map(facts));
        pageToken = page.nextPageToken;
      } while (pageToken);
      return admins;
    },
    close: () => client.close(),
  };
}

function facts(user: User): Required<RecipientFacts> {
  return {
    userId: user.id,
    email: user.email,
    name: user.displayName,
    locale: user.locale,
    isAdmin: user.roles.includes(Role.ADMIN),
  };
}
