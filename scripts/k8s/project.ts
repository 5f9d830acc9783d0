/**
 * Facts about the deployment that the generator (`npm run k8s:policies`) and the checks share.
 * Everything else is read from the code (the client graph, the proto descriptors) or from k8s/.
 */

/** The namespace of every shopmesh workload (k8s/base/kustomization.yaml). */
export const NAMESPACE = "shopmesh";

/** The mesh's trust domain (Istio's default). */
export const TRUST_DOMAIN = "cluster.local";

/** The SPIFFE principal Istio gives a service account: what AuthorizationPolicies name. */
export function principal(serviceAccount: string, namespace = NAMESPACE): string {
  return `${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Istio's ingress gateway (istioctl's default profile): the only way in from outside. */
export const INGRESS_GATEWAY = {
  namespace: "istio-system",
  serviceAccount: "istio-ingressgateway-service-account",
  labels: { istio: "ingressgateway" },
} as const;

/** Namespaces whose Prometheus may scrape the sidecars' merged metrics (port 15020) and Envoy's (15090). */
export const TELEMETRY_NAMESPACES = ["istio-system", "monitoring"] as const;

/**
 * HTTP calls between workloads inside the mesh, which the gRPC client graph does not see. Each
 * names the caller's variable holding the URL, so the checks can confirm the caller really is
 * configured to call it.
 */
export const HTTP_EDGES = [
  {
    caller: "payment",
    target: "bff",
    method: "POST",
    path: "/webhooks/payments/sandbox",
    variable: "SANDBOX_WEBHOOK_URL",
    why: "the sandbox payment provider confirms asynchronous payments through the BFF's webhook route",
  },
] as const;

/** Label selecting a workload's pods (and its Service's selector). */
export const NAME_LABEL = "app.kubernetes.io/name";

/** Variables a container may set that no service's config reads: read by Node itself. */
export const RUNTIME_VARIABLES = new Set(["NODE_OPTIONS"]);

/**
 * Secrets the prod overlay expects to exist (created outside git: External Secrets, Sealed
 * Secrets, or `kubectl create secret`), with the keys the workloads read.
 */
export const EXTERNAL_SECRETS: Record<string, string[]> = {
  "shopmesh-infra": ["NATS_URL", "REDIS_URL"],
  "shopmesh-service-token": ["SERVICE_TOKEN_SECRET"],
  "identity-signing": ["SECRETS_KEY"],
  "identity-admin": ["SHOPMESH_ADMIN_EMAIL", "SHOPMESH_ADMIN_PASSWORD"],
  "identity-database": ["DATABASE_URL"],
  "catalog-database": ["DATABASE_URL"],
  "inventory-database": ["DATABASE_URL"],
  "order-database": ["DATABASE_URL"],
  "payment-database": ["DATABASE_URL"],
  "shipping-database": ["DATABASE_URL"],
  "audit-database": ["DATABASE_URL"],
  "notification-database": ["DATABASE_URL"],
  "notification-smtp": ["SMTP_URL"],
  "payment-webhooks": ["SANDBOX_WEBHOOK_SECRET"],
  "shipping-webhooks": ["SIMCARRIER_WEBHOOK_SECRET"],
};
