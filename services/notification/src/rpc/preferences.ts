import type { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { requireUser, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { categoryFromProto, channelFromProto, preferencesMessage } from "../domain/messages.ts";
import { checkSettingChanges, effectivePreferences, type StoredSetting } from "../domain/preferences.ts";
import type { NotificationDeps } from "./deps.ts";
import { check } from "./fields.ts";

type Handlers = ServiceHandlers<typeof NotificationService>;

/** The caller's notification preferences. */
export function preferenceHandlers(
  deps: NotificationDeps,
): Pick<Handlers, "getNotificationPreferences" | "updateNotificationPreferences"> {
  const { store } = deps;
  return {
    async getNotificationPreferences(_request, ctx) {
      const user = requireUser(ctx);
      const stored = await store.read().preferences.forUser(user.userId);
      return {
        preferences: preferencesMessage(
          effectivePreferences(user.userId, stored.settings, stored.updateTime),
        ),
      };
    },

    async updateNotificationPreferences(request, ctx) {
      const user = requireUser(ctx);
      const changes = request.settings.map((setting) => ({
        category: categoryFromProto(setting.category),
        channel: channelFromProto(setting.channel),
        enabled: setting.enabled,
      }));
      check(checkSettingChanges(changes, "settings"));
      const stored = await store.transaction(async (tx) => {
        await tx.preferences.save(user.userId, changes as StoredSetting[], new Date());
        return tx.preferences.forUser(user.userId);
      });
      return {
        preferences: preferencesMessage(
          effectivePreferences(user.userId, stored.settings, stored.updateTime),
        ),
      };
    },
  };
}
