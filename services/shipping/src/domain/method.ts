/** How fast a parcel travels; shopmesh.shipping.v1.ShippingMethod without its prefix, lower case. */
export type ShippingMethod = "standard" | "express";

export const SHIPPING_METHODS: readonly ShippingMethod[] = ["standard", "express"];
