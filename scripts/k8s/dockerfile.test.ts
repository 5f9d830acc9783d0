import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repositoryRoot } from "./client-graph.ts";

/**
 * Static checks of the Dockerfile (no Docker engine runs here): the images skaffold builds run
 * Node 24 as a numeric non-root user under tini, carry production dependencies only, and no
 * configuration or secret.
 */

const root = repositoryRoot();
const text = readFileSync(join(root, "Dockerfile"), "utf8");

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name: string;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped; global ARGs kept apart. */
function parseDockerfile(source: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = source
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword!.toUpperCase(), args: rest.join(" ") };
    if (instruction.keyword === "FROM") {
      const [from, as, name] = rest;
      stages.push({
        from: from!,
        name: as?.toUpperCase() === "AS" ? name! : String(stages.length),
        instructions: [],
      });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [key, value] = instruction.args.split("=");
      args.set(key!, value ?? "");
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const { args, stages } = parseDockerfile(text);
const stage = (name: string) => {
  const found = stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
/** The last `keyword` instruction of a stage, or of the stage it is built FROM when it has none. */
function inherited(target: string, keyword: string): Instruction | undefined {
  let current: Stage | undefined = stage(target);
  while (current) {
    const found = current.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (found) return found;
    const parent: string = current.from;
    current = stages.find((s) => s.name === parent);
  }
  return undefined;
}

/** "${NAME}" as the Dockerfile writes it (not a JavaScript template). */
const ref = (name: string) => `$${"{"}${name}}`;

/** The stages skaffold builds (the targets in skaffold.yaml). */
const skaffold = parse(readFileSync(join(root, "skaffold.yaml"), "utf8")) as {
  build: { artifacts: { docker: { target: string } }[] };
  profiles: { build?: { artifacts?: { docker: { target: string } }[] } }[];
};
const targets = [
  ...new Set(
    [skaffold.build, ...skaffold.profiles.map((p) => p.build)]
      .flatMap((build) => build?.artifacts ?? [])
      .map((artifact) => artifact.docker.target),
  ),
].sort();

describe("the Dockerfile", () => {
  it("has a stage for every target skaffold builds, and builds runtime by default (last)", () => {
    expect(targets).toEqual(["debug", "dev", "runtime"]);
    for (const target of targets) expect(stages.some((s) => s.name === target)).toBe(true);
    expect(stages.at(-1)!.name).toBe("runtime");
  });

  it("runs every target as a numeric non-root user", () => {
    for (const target of targets) {
      // A stage without USER inherits its parent's.
      const user = inherited(target, "USER");
      expect(user, `${target} sets no USER`).toBeDefined();
      const [uid] = user!.args.split(":");
      expect(uid, `${target}: Kubernetes' runAsNonRoot needs a numeric user`).toMatch(/^\d+$/);
      expect(Number(uid)).toBeGreaterThan(0);
    }
  });

  it("starts Node under tini, so SIGTERM reaches the process and children are reaped", () => {
    for (const target of targets) {
      const argv = JSON.parse(inherited(target, "ENTRYPOINT")!.args) as string[];
      expect(argv[0], target).toMatch(/(^|\/)tini$/);
      expect(argv[1]).toBe("--");
      expect(argv[2], target).toMatch(/(^|\/)node$/);
    }
    // tini comes from Debian's package, the static build for distroless.
    expect(text).toContain("COPY --from=deps /usr/bin/tini-static /tini");
  });

  it("is based on Node.js 24 everywhere", () => {
    expect(args.get("NODE_MAJOR")).toBe("24");
    for (const s of stages) {
      const base = s.from;
      if (stages.some((other) => other.name === base)) continue; // built on an earlier stage
      expect(
        base === `node:${ref("NODE_MAJOR")}-bookworm-slim` || /^gcr\.io\/distroless\/nodejs24-/.test(base),
        base,
      ).toBe(true);
    }
    expect(stage("runtime").from).toBe("gcr.io/distroless/nodejs24-debian12:nonroot");
  });

  it("installs production dependencies only, from the lock file, for one workspace", () => {
    const install = stage("deps").instructions.find((i) => i.keyword === "RUN" && i.args.includes("npm ci"));
    expect(install?.args).toMatch(/npm ci\b/);
    expect(install?.args).toContain("--omit=dev");
    expect(install?.args).toContain(`--workspace="${ref("WORKSPACE")}"`);
    expect(text).not.toMatch(/npm install/);
  });

  it("bakes in no configuration or secret, only NODE_ENV", () => {
    for (const s of stages) {
      for (const instruction of s.instructions.filter((i) => i.keyword === "ENV")) {
        const names = [...instruction.args.matchAll(/(\w+)=/g)].map((match) => match[1]);
        for (const name of names) expect(["NODE_ENV", "npm_config_update_notifier"]).toContain(name);
      }
    }
    expect(text).not.toMatch(/(SECRET|PASSWORD|TOKEN|DATABASE_URL|_KEY)\s*=/);
  });

  it("copies only the workload's sources into the final images", () => {
    for (const target of ["runtime", "dev"]) {
      const copies = stage(target).instructions.filter((i) => i.keyword === "COPY");
      for (const copy of copies) expect(copy.args, target).toMatch(/^--from=/);
    }
    const app = stage("app")
      .instructions.filter((i) => i.keyword === "COPY")
      .map((i) => i.args);
    expect(app).toEqual([
      "packages/kit/ packages/kit/",
      "packages/contracts/ packages/contracts/",
      `${ref("WORKSPACE")}/ ${ref("WORKSPACE")}/`,
    ]);
  });
});

describe(".dockerignore", () => {
  const ignored = readFileSync(join(root, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));

  it("keeps dependencies, git, local secrets, tests and tooling out of the build context", () => {
    expect(ignored).toEqual(
      expect.arrayContaining([
        "**/node_modules",
        ".git",
        ".env",
        ".env.*",
        "**/*.test.ts",
        "**/test",
        ".tools",
        "k8s",
      ]),
    );
  });

  it("does not ignore what the build needs", () => {
    for (const needed of ["package.json", "package-lock.json", "packages", "services", "bff"]) {
      expect(ignored).not.toContain(needed);
    }
  });
});
