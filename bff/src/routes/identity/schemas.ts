import { z } from "@hono/zod-openapi";

/** Schemas of the identity area, shared by the web, mobile and admin surfaces. */

const email = z.string().trim().min(3).max(254).email().openapi({ example: "ada@example.com" });
// The service owns the password policy (length, common passwords); the edge only bounds the size.
const password = z.string().min(1).max(128).openapi({ example: "correct horse battery staple" });
const uuid = z.uuid();

export const RoleSchema = z.enum(["customer", "support", "admin"]).openapi("Role");

export const UserSchema = z
  .object({
    id: z.string().openapi({ example: "01937a5e-7b1c-7cc0-8a4f-3f2a8b9d1e22" }),
    email: z.string(),
    emailVerified: z.boolean(),
    displayName: z.string(),
    locale: z.string(),
    roles: z.array(RoleSchema),
    mfaEnabled: z.boolean(),
    locked: z.boolean(),
    lockedReason: z.string().optional(),
    createTime: z.string().openapi({ format: "date-time" }),
    updateTime: z.string().openapi({ format: "date-time" }),
    lastLoginTime: z.string().optional().openapi({ format: "date-time" }),
  })
  .openapi("User");

export const SessionSchema = z
  .object({
    id: z.string(),
    userAgent: z.string(),
    ipAddress: z.string(),
    createTime: z.string().openapi({ format: "date-time" }),
    lastUsedTime: z.string().openapi({ format: "date-time" }),
    expireTime: z.string().openapi({ format: "date-time" }),
    current: z.boolean(),
  })
  .openapi("Session");

export const PostalAddressSchema = z
  .object({
    recipient: z.string().max(200),
    line1: z.string().max(200),
    line2: z.string().max(200).optional(),
    city: z.string().max(100),
    region: z.string().max(100).optional(),
    postalCode: z.string().max(20),
    countryCode: z.string().max(2).openapi({ example: "DE" }),
    phone: z.string().max(32).optional(),
  })
  .openapi("PostalAddress");

export const AddressSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    address: PostalAddressSchema,
    defaultShipping: z.boolean(),
    defaultBilling: z.boolean(),
    createTime: z.string().openapi({ format: "date-time" }),
    updateTime: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Address");

export const AddressCreateSchema = z
  .object({
    label: z.string().max(50).optional(),
    address: PostalAddressSchema,
    defaultShipping: z.boolean().optional(),
    defaultBilling: z.boolean().optional(),
  })
  .strict()
  .openapi("AddressCreate");

export const AddressPatchSchema = z
  .object({
    label: z.string().max(50).optional(),
    address: PostalAddressSchema.partial().optional(),
    defaultShipping: z.boolean().optional(),
    defaultBilling: z.boolean().optional(),
  })
  .strict()
  .openapi("AddressPatch");

export const RegisterSchema = z
  .object({
    email,
    password,
    displayName: z.string().max(100).optional(),
    locale: z.string().max(35).optional().openapi({ example: "en" }),
  })
  .strict()
  .openapi("RegisterRequest");

export const LoginSchema = z
  .object({
    email: z.string().trim().min(1).max(254),
    password,
    totpCode: z
      .string()
      .regex(/^\d{6}$/, "must be 6 digits")
      .optional(),
    recoveryCode: z.string().max(32).optional(),
  })
  .strict()
  .openapi("LoginRequest");

export const TokenResponseSchema = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int().openapi({ description: "Seconds until the access token expires" }),
    user: UserSchema,
  })
  .openapi("TokenResponse");

export const MobileTokenResponseSchema = TokenResponseSchema.extend({
  refreshToken: z
    .string()
    .openapi({ description: "Opaque; rotated on every refresh. Keep it in secure storage." }),
  refreshTokenExpireTime: z.string().openapi({ format: "date-time" }),
}).openapi("MobileTokenResponse");

export const RefreshTokenBodySchema = z.object({ refreshToken: z.string().min(1).max(512) }).strict();

export const ForgotPasswordSchema = z.object({ email }).strict().openapi("ForgotPasswordRequest");
export const ResetPasswordSchema = z
  .object({ token: z.string().min(1).max(512), newPassword: password })
  .strict()
  .openapi("ResetPasswordRequest");
export const VerifyEmailSchema = z
  .object({ token: z.string().min(1).max(512) })
  .strict()
  .openapi("VerifyEmailRequest");
export const ChangePasswordSchema = z
  .object({ currentPassword: password, newPassword: password })
  .strict()
  .openapi("ChangePasswordRequest");
export const PasswordConfirmSchema = z.object({ password }).strict().openapi("PasswordConfirmation");
export const TotpCodeSchema = z
  .object({ code: z.string().regex(/^\d{6}$/, "must be 6 digits") })
  .strict()
  .openapi("TotpCode");
export const TotpEnrollmentSchema = z
  .object({ secret: z.string(), otpauthUri: z.string() })
  .openapi("TotpEnrollment");
export const RecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) }).openapi("RecoveryCodes");

export const ProfilePatchSchema = z
  .object({
    displayName: z.string().max(100).optional(),
    locale: z.string().max(35).optional(),
  })
  .strict()
  .openapi("ProfilePatch");

export const ExportSchema = z
  .object({
    user: UserSchema,
    addresses: z.array(AddressSchema),
    sessions: z.array(SessionSchema),
    exportTime: z.string().openapi({ format: "date-time" }),
  })
  .openapi("UserDataExport");

export const IdParamSchema = z.object({ id: uuid.openapi({ param: { name: "id", in: "path" } }) });

export const UserListQuerySchema = z.object({
  query: z.string().max(200).optional(),
  role: RoleSchema.optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
  pageToken: z.string().max(1024).optional(),
});

export const UserListSchema = z
  .object({ users: z.array(UserSchema), nextPageToken: z.string().optional() })
  .openapi("UserList");

export const SetRolesSchema = z
  .object({ roles: z.array(RoleSchema).min(1).max(3) })
  .strict()
  .openapi("SetRolesRequest");
export const LockSchema = z
  .object({ reason: z.string().trim().min(1).max(500) })
  .strict()
  .openapi("LockRequest");
