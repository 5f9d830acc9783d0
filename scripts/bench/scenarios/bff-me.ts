import { measureHttp } from "../autocannon.ts";
import { startBenchPlatform } from "../platform.ts";
import type { Scenario } from "../types.ts";

/**
 * An authenticated read through the whole edge: HTTP -> BFF (request id, rate limit in Redis, JWT
 * verification) -> gRPC -> identity (token check, PostgreSQL) and back, as GET /api/v1/me.
 */
export const bffMe: Scenario = {
  name: "bff-me",
  description: "GET /api/v1/me through the BFF and identity, authenticated",
  async run(context) {
    const platform = await startBenchPlatform({
      root: context.root,
      require: ["identity", "bff"],
      log: context.log,
    });
    try {
      const token = await signIn(platform.baseUrl);
      const headers = { authorization: `Bearer ${token}` };
      const probe = await fetch(`${platform.baseUrl}/api/v1/me`, { headers });
      if (!probe.ok) throw new Error(`GET /api/v1/me answered ${probe.status}: ${await probe.text()}`);
      context.log(`bff-me: ${context.connections} connections, ${context.durationS} s`);
      const result = await measureHttp({
        url: `${platform.baseUrl}/api/v1/me`,
        headers,
        connections: context.connections,
        durationS: context.durationS,
      });
      return [{ name: "bff-me", ...result, note: "GET /api/v1/me, BFF + identity" }];
    } finally {
      await platform.close();
    }
  },
};

/** Registers a fresh user and logs in through the BFF's web surface; returns the access token. */
async function signIn(baseUrl: string): Promise<string> {
  const email = `bench-${Date.now()}@example.com`;
  const password = "bench-password-1234";
  await postJson(`${baseUrl}/api/v1/auth/register`, { email, password, displayName: "Bench User" });
  const body = (await postJson(`${baseUrl}/api/v1/auth/login`, { email, password })) as {
    accessToken?: string;
    tokens?: { accessToken?: string };
  };
  const token = body.accessToken ?? body.tokens?.accessToken;
  if (!token) throw new Error(`POST /api/v1/auth/login returned no access token: ${JSON.stringify(body)}`);
  return token;
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${new URL(url).pathname} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}
