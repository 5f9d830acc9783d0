import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import ts from "typescript";

/**
 * The gRPC client graph of the deployed code, read from the source with the TypeScript compiler:
 * who (a service or the BFF) calls which RPC of which service. The Istio AuthorizationPolicies are
 * generated from it (`npm run k8s:policies`) and a test compares them, so the mesh's rules and
 * the code cannot drift apart.
 *
 * A call counts when its receiver's type is the kit's `RpcClient<typeof SomeService>` (however
 * the client reached the call site: a field of deps, a parameter, a destructured variable), or
 * when the code calls a kit function that makes such calls itself (`createIdentityKeys` calls
 * identity's GetJwks; `createHealthClient` calls grpc.health.v1 Check on the address it is given).
 * Tests are not deployed and are left out.
 */

/** One RPC a caller makes: the workload serving it, and its gRPC path. */
export interface Call {
  /** The calling workload: a service folder name, or "bff". */
  caller: string;
  /** The workload serving the RPC. */
  target: string;
  /** "/shopmesh.cart.v1.CartService/GetCart". */
  path: string;
  /** Where the call is, "services/order/src/saga.ts:42", for messages. */
  at: string;
}

/** caller → target → sorted gRPC paths. */
export type ClientGraph = Record<string, Record<string, string[]>>;

export interface GraphResult {
  graph: ClientGraph;
  calls: Call[];
  /** Calls the analysis could not attribute (an unknown target); the check fails on any. */
  problems: string[];
  /** The workloads analysed: every services/<name> with a src folder, and "bff". */
  callers: string[];
}

const HEALTH_SERVICE = "grpc.health.v1.Health";

/** The deployed workloads of the repository: services/<name> (with a src/) and the BFF. */
export function listWorkloads(root: string): { name: string; src: string }[] {
  const services = readdirSync(join(root, "services"))
    .filter((name) => existsSync(join(root, "services", name, "src")))
    .sort()
    .map((name) => ({ name, src: join(root, "services", name, "src") }));
  return [...services, { name: "bff", src: join(root, "bff", "src") }];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (entry.endsWith(".ts") && !entry.endsWith(".test.ts") && !entry.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** A service descriptor found in packages/contracts: its exported name and generated module. */
interface ServiceRef {
  exportName: string;
  /** Absolute path of the generated .js module. */
  module: string;
}

/**
 * Reads the call graph of every workload (or of `workloads`, for tests). Takes a few seconds:
 * one TypeScript program over the workloads' and the kit's sources.
 */
export async function readClientGraph(
  root: string,
  workloads: { name: string; src: string }[] = listWorkloads(root),
): Promise<GraphResult> {
  const kitSrc = join(root, "packages", "kit", "src");
  const contractsSrc = join(root, "packages", "contracts", "src");
  const configFile = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const rootNames = [...workloads.flatMap((w) => sourceFiles(w.src)), ...sourceFiles(kitSrc)];
  const program = ts.createProgram({
    rootNames,
    options: { ...parsed.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined },
  });
  const checker = program.getTypeChecker();
  // Asking the checker for types is the slow part: only calls named like some RPC are looked at.
  const rpcNames = await rpcLocalNames(contractsSrc);

  /** The service of an `RpcClient<typeof S>` type, or undefined for any other type. */
  function rpcClientService(type: ts.Type): ServiceRef | undefined {
    const alias = type.aliasSymbol;
    if (alias?.name !== "RpcClient") return undefined;
    const declared = alias.declarations?.[0]?.getSourceFile().fileName ?? "";
    if (!declared.startsWith(kitSrc)) return undefined;
    const service = type.aliasTypeArguments?.[0];
    // `typeof OrderService` is `GenService<{ placeOrder: {...}, ... }>`: its method map is a type
    // literal declared inside `export declare const OrderService: GenService<...>`.
    const methods = service?.aliasTypeArguments?.[0];
    let node: ts.Node | undefined = methods?.symbol?.declarations?.[0];
    while (node && !ts.isVariableDeclaration(node)) node = node.parent;
    if (!node || !ts.isIdentifier(node.name)) return undefined;
    const file = node.getSourceFile().fileName;
    if (!file.startsWith(contractsSrc)) return undefined;
    return { exportName: node.name.text, module: file.replace(/\.d\.ts$/, ".js") };
  }

  /**
   * A method whose declaration is an RPC of a generated service (RpcClient's properties keep the
   * declarations of the descriptor's method map): a call on some other wrapper of a client
   * (Pick<RpcClient<...>>, a hand-written interface) that the graph would miss.
   */
  function declaredInContracts(name: ts.MemberName): boolean {
    const symbol = checker.getSymbolAtLocation(name);
    return (symbol?.declarations ?? []).some((declaration) =>
      declaration.getSourceFile().fileName.startsWith(contractsSrc),
    );
  }
  const unrecognised: ts.Node[] = [];

  /** Calls on RpcClients inside one function body (or file): service + method local name. */
  function rpcCalls(node: ts.Node): { service: ServiceRef; localName: string; node: ts.Node }[] {
    const found: { service: ServiceRef; localName: string; node: ts.Node }[] = [];
    const visit = (child: ts.Node) => {
      if (
        ts.isCallExpression(child) &&
        ts.isPropertyAccessExpression(child.expression) &&
        rpcNames.has(child.expression.name.text)
      ) {
        const receiver = checker.getTypeAtLocation(child.expression.expression);
        const service = rpcClientService(receiver);
        const localName = child.expression.name.text;
        if (service) found.push({ service, localName, node: child });
        else if (declaredInContracts(child.expression.name)) unrecognised.push(child);
      }
      ts.forEachChild(child, visit);
    };
    visit(node);
    return found;
  }

  // Kit functions that call services themselves, e.g. createIdentityKeys → IdentityService.getJwks.
  const kitCallers = new Map<ts.Symbol, { service: ServiceRef; localName: string }[]>();
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(kitSrc) || file.fileName.endsWith(".test.ts")) continue;
    for (const statement of file.statements) {
      if (!ts.isFunctionDeclaration(statement) || !statement.name || !statement.body) continue;
      const calls = rpcCalls(statement.body);
      const symbol = checker.getSymbolAtLocation(statement.name);
      if (calls.length > 0 && symbol) kitCallers.set(symbol, calls);
    }
  }

  // A kit function that calls such a function calls what it calls (createServiceAuth → createIdentityKeys).
  const kitFunctions = program
    .getSourceFiles()
    .filter((file) => file.fileName.startsWith(kitSrc) && !file.fileName.endsWith(".test.ts"))
    .flatMap((file) => file.statements.filter(ts.isFunctionDeclaration))
    .filter((statement) => statement.name && statement.body);
  for (let grew = true; grew; ) {
    grew = false;
    for (const statement of kitFunctions) {
      const symbol = statement.name && checker.getSymbolAtLocation(statement.name);
      if (!symbol) continue;
      const calls = [...(kitCallers.get(symbol) ?? [])];
      const visit = (child: ts.Node): void => {
        if (ts.isCallExpression(child) && ts.isIdentifier(child.expression)) {
          let callee = checker.getSymbolAtLocation(child.expression);
          if (callee && callee.flags & ts.SymbolFlags.Alias) callee = checker.getAliasedSymbol(callee);
          for (const call of (callee && callee !== symbol && kitCallers.get(callee)) || []) {
            if (
              !calls.some((known) => known.localName === call.localName && known.service === call.service)
            ) {
              calls.push(call);
              grew = true;
            }
          }
        }
        ts.forEachChild(child, visit);
      };
      if (statement.body) visit(statement.body);
      if (calls.length > 0) kitCallers.set(symbol, calls);
    }
  }

  const kitNames = new Set([...kitCallers.keys()].map((symbol) => symbol.name));

  const descriptors = new Map<string, { typeName: string; methods: Map<string, string> }>();
  async function describe(service: ServiceRef) {
    const key = `${service.module}#${service.exportName}`;
    let found = descriptors.get(key);
    if (!found) {
      const module = (await import(pathToFileURL(service.module).href)) as Record<
        string,
        { typeName: string; methods: { localName: string; name: string }[] }
      >;
      const desc = module[service.exportName];
      if (!desc) throw new Error(`${service.module} exports no ${service.exportName}`);
      found = {
        typeName: desc.typeName,
        methods: new Map(desc.methods.map((m) => [m.localName, m.name])),
      };
      descriptors.set(key, found);
    }
    return found;
  }

  const calls: Call[] = [];
  const problems: string[] = [];
  const where = (node: ts.Node) => {
    const file = node.getSourceFile();
    const { line } = file.getLineAndCharacterOfPosition(node.getStart());
    return `${relative(root, file.fileName).split(sep).join("/")}:${line + 1}`;
  };

  async function record(
    caller: string,
    service: ServiceRef,
    localName: string,
    node: ts.Node,
    addressArgument?: ts.Expression,
  ) {
    const desc = await describe(service);
    const method = desc.methods.get(localName);
    if (!method) {
      problems.push(`${where(node)}: ${desc.typeName} has no method ${localName}`);
      return;
    }
    let target: string | undefined;
    if (desc.typeName === HEALTH_SERVICE) {
      // The health service is served by everyone: the address tells whose ("config.IDENTITY_ADDRESS").
      const text = addressArgument?.getText() ?? "";
      target = /\b([A-Z][A-Z0-9]*)_ADDRESS\b/.exec(text)?.[1]?.toLowerCase();
    } else {
      target = /^shopmesh\.([a-z0-9_]+)\.v\d+\./.exec(desc.typeName)?.[1];
    }
    if (!target) {
      problems.push(`${where(node)}: cannot tell which workload serves ${desc.typeName}/${method}`);
      return;
    }
    calls.push({ caller, target, path: `/${desc.typeName}/${method}`, at: where(node) });
  }

  for (const workload of workloads) {
    for (const file of program.getSourceFiles()) {
      if (!file.fileName.startsWith(workload.src + sep) || file.fileName.endsWith(".test.ts")) continue;
      for (const { service, localName, node } of rpcCalls(file)) {
        await record(workload.name, service, localName, node);
      }
      const factoryCalls: ts.CallExpression[] = [];
      const visit = (child: ts.Node): void => {
        if (
          ts.isCallExpression(child) &&
          ts.isIdentifier(child.expression) &&
          kitNames.has(child.expression.text)
        ) {
          factoryCalls.push(child);
        }
        ts.forEachChild(child, visit);
      };
      visit(file);
      for (const call of factoryCalls) {
        let symbol = checker.getSymbolAtLocation(call.expression);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
        for (const { service, localName } of (symbol && kitCallers.get(symbol)) || []) {
          if (localName === "getJwks" && providesOwnKeys(call)) continue;
          await record(workload.name, service, localName, call, addressOf(call));
        }
      }
    }
  }

  for (const node of unrecognised) {
    if (!workloads.some((workload) => node.getSourceFile().fileName.startsWith(workload.src + sep))) continue;
    problems.push(
      `${where(node)}: calls an RPC on a client whose type is not the kit's RpcClient<typeof Service>: ` +
        "type it as RpcClient so the mesh policies see the call",
    );
  }

  const graph: ClientGraph = {};
  for (const call of calls) addEdge(graph, call.caller, call.target, call.path);
  for (const targets of Object.values(graph)) for (const paths of Object.values(targets)) paths.sort();
  return { graph: sortKeys(graph), calls, problems, callers: workloads.map((w) => w.name) };
}

/**
 * True when a kit factory is given its own token keys as a function (`keys: () => ...`): then it
 * never fetches identity's JWKS (identity verifies its own tokens). `keys: options.jwks` may be
 * undefined, so it does not count.
 */
function providesOwnKeys(call: ts.CallExpression): boolean {
  const options = call.arguments[0];
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  return options.properties.some(
    (property) =>
      ts.isPropertyAssignment(property) &&
      property.name.getText() === "keys" &&
      (ts.isArrowFunction(property.initializer) || ts.isFunctionExpression(property.initializer)),
  );
}

/** Adds caller → target → path to a graph (once). */
export function addEdge(graph: ClientGraph, caller: string, target: string, path: string): void {
  graph[caller] ??= {};
  const targets = graph[caller];
  targets[target] ??= [];
  if (!targets[target].includes(path)) targets[target].push(path);
}

/** A gRPC service of packages/contracts, from its generated descriptor. */
export interface ServiceDescriptor {
  /** "shopmesh.cart.v1.CartService". */
  typeName: string;
  methods: {
    name: string;
    localName: string;
    kind: "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";
    /** Marked NO_SIDE_EFFECTS or IDEMPOTENT in the proto: safe to retry. */
    idempotent: boolean;
  }[];
}

/** Every service generated into packages/contracts/src (the shopmesh ones and grpc.health.v1). */
export async function loadServiceDescriptors(contractsSrc: string): Promise<ServiceDescriptor[]> {
  const services: ServiceDescriptor[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) await walk(path);
      else if (entry.endsWith("_pb.js")) {
        const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
        for (const value of Object.values(module)) {
          const desc = value as {
            kind?: string;
            typeName: string;
            methods: { name: string; localName: string; methodKind: string; idempotency: number }[];
          };
          if (desc?.kind !== "service") continue;
          services.push({
            typeName: desc.typeName,
            methods: desc.methods.map((method) => ({
              name: method.name,
              localName: method.localName,
              kind: method.methodKind as ServiceDescriptor["methods"][number]["kind"],
              idempotent:
                method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS ||
                method.idempotency === MethodOptions_IdempotencyLevel.IDEMPOTENT,
            })),
          });
        }
      }
    }
  };
  await walk(contractsSrc);
  return services;
}

/** The local names of every RPC of every service in packages/contracts ("getCart", "check"). */
async function rpcLocalNames(contractsSrc: string): Promise<Set<string>> {
  const services = await loadServiceDescriptors(contractsSrc);
  return new Set(services.flatMap((service) => service.methods.map((method) => method.localName)));
}

/** The address a kit client factory is given: its first argument, or that object's `address`. */
function addressOf(call: ts.CallExpression): ts.Expression | undefined {
  const first = call.arguments[0];
  if (first && ts.isObjectLiteralExpression(first)) {
    for (const property of first.properties) {
      if (ts.isPropertyAssignment(property) && property.name.getText() === "address")
        return property.initializer;
      if (ts.isShorthandPropertyAssignment(property) && property.name.text === "address")
        return property.name;
    }
    return undefined;
  }
  return first;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) =>
        value && typeof value === "object" && !Array.isArray(value)
          ? [key, sortKeys(value as Record<string, unknown>) as T]
          : [key, value],
      ),
  );
}

/** The repository root, from this file's place in it. */
export function repositoryRoot(): string {
  return dirname(dirname(dirname(new URL(import.meta.url).pathname)));
}
