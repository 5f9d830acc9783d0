import { createRandom, type Random } from "./random.ts";
import {
  ADJECTIVES,
  DEPARTMENTS,
  type DepartmentSpec,
  FEATURES,
  type GroupSpec,
  OCCASIONS,
} from "./words.ts";

/** A category of the demo tree; `parentSlug` is empty for a top-level one. */
export interface DemoCategory {
  slug: string;
  parentSlug: string;
  name: string;
  description: string;
  position: number;
}

export interface DemoVariant {
  sku: string;
  optionValues: Record<string, string>;
  /** Euro cents. */
  priceMinor: number;
  weightGrams: number;
}

export interface DemoProduct {
  slug: string;
  name: string;
  description: string;
  categorySlugs: string[];
  attributes: { name: string; value: string }[];
  images: { url: string; altText: string }[];
  variants: DemoVariant[];
}

export interface DemoWarehouse {
  code: string;
  name: string;
  priority: number;
  address: {
    recipient: string;
    line1: string;
    city: string;
    postalCode: string;
    countryCode: string;
    phone: string;
  };
}

/** Units of one SKU in one warehouse (0 for an empty shelf). */
export interface DemoStock {
  sku: string;
  warehouseCode: string;
  quantity: number;
}

export interface DemoCatalog {
  currency: "EUR";
  /** Parents before their children. */
  categories: DemoCategory[];
  products: DemoProduct[];
  warehouses: DemoWarehouse[];
  stock: DemoStock[];
}

export interface DemoCatalogOptions {
  /** How many products (default 1,200). */
  products?: number;
  /** The PRNG seed: the same seed gives the same catalog (default 20261122). */
  seed?: number;
}

export const DEMO_PRODUCT_COUNT = 1200;
export const DEMO_SEED = 20261122;

/** Two warehouses: Hamburg ships first, Rotterdam fills what Hamburg lacks. */
export const DEMO_WAREHOUSES: readonly DemoWarehouse[] = [
  {
    code: "HAM-1",
    name: "Hamburg Hafen",
    priority: 1,
    address: {
      recipient: "shopmesh Fulfilment Hamburg",
      line1: "Am Sandtorkai 12",
      city: "Hamburg",
      postalCode: "20457",
      countryCode: "DE",
      phone: "+494012345678",
    },
  },
  {
    code: "RTM-1",
    name: "Rotterdam Maasvlakte",
    priority: 2,
    address: {
      recipient: "shopmesh Fulfilment Rotterdam",
      line1: "Europaweg 875",
      city: "Rotterdam",
      postalCode: "3199 LD",
      countryCode: "NL",
      phone: "+31101234567",
    },
  },
];

interface Leaf {
  department: DepartmentSpec;
  group: GroupSpec;
  slug: string;
}

/**
 * Builds the demo catalog: a three-level category tree (departments, groups, leaves), `products`
 * ACTIVE products spread over the leaves, each with 1 to 4 priced variants, and stock for every
 * SKU in the two warehouses (some sold out, some low). Pure and deterministic: no clock, no
 * Math.random, so the same options always give the same catalog.
 */
export function generateDemoCatalog(options: DemoCatalogOptions = {}): DemoCatalog {
  const count = options.products ?? DEMO_PRODUCT_COUNT;
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`products must be a whole number >= 0, got ${count}`);
  const random = createRandom(options.seed ?? DEMO_SEED);

  const categories: DemoCategory[] = [];
  const leaves: Leaf[] = [];
  DEPARTMENTS.forEach((department, d) => {
    const departmentSlug = slugify(department.name);
    categories.push({
      slug: departmentSlug,
      parentSlug: "",
      name: department.name,
      description: department.description,
      position: d,
    });
    department.groups.forEach((group, g) => {
      const groupSlug = `${departmentSlug}-${slugify(group.name)}`;
      categories.push({
        slug: groupSlug,
        parentSlug: departmentSlug,
        name: group.name,
        description: `${group.name} from ${department.brands.join(", ")}.`,
        position: g,
      });
      group.leaves.forEach((name, l) => {
        const slug = `${groupSlug}-${slugify(name)}`;
        categories.push({
          slug,
          parentSlug: groupSlug,
          name,
          description: `${name} in ${group.name}.`,
          position: l,
        });
        leaves.push({ department, group, slug });
      });
    });
  });

  const products: DemoProduct[] = [];
  const slugs = new Set<string>();
  for (let index = 0; index < count; index++) {
    const leaf = leaves[index % leaves.length] as Leaf;
    products.push(makeProduct(random, leaf, index, slugs));
  }

  const stock: DemoStock[] = [];
  const [first, second] = DEMO_WAREHOUSES as [DemoWarehouse, DemoWarehouse];
  for (const product of products) {
    for (const variant of product.variants) {
      const roll = random.next();
      // 8% sold out everywhere, 12% low (a few units in one warehouse), the rest well stocked
      if (roll < 0.08) {
        stock.push({ sku: variant.sku, warehouseCode: first.code, quantity: 0 });
      } else if (roll < 0.2) {
        stock.push({
          sku: variant.sku,
          warehouseCode: random.chance(0.5) ? first.code : second.code,
          quantity: random.int(1, 3),
        });
      } else {
        stock.push({ sku: variant.sku, warehouseCode: first.code, quantity: random.int(5, 200) });
        if (random.chance(0.5))
          stock.push({ sku: variant.sku, warehouseCode: second.code, quantity: random.int(1, 80) });
      }
    }
  }
  return {
    currency: "EUR",
    categories,
    products,
    warehouses: DEMO_WAREHOUSES.map((w) => ({ ...w, address: { ...w.address } })),
    stock,
  };
}

function makeProduct(random: Random, leaf: Leaf, index: number, slugs: Set<string>): DemoProduct {
  const { department, group } = leaf;
  const brand = random.pick(department.brands);
  const material = random.pick(department.materials);
  const adjective = random.pick(ADJECTIVES);
  const noun = random.pick(group.nouns);
  // "Slim Linen Linen Shirt" reads badly: a word already said is dropped
  const said = new Set<string>();
  const name = `${brand} ${adjective} ${material} ${noun}`
    .split(" ")
    .filter((word) => !said.has(word.toLowerCase()) && said.add(word.toLowerCase()))
    .join(" ");
  let slug = slugify(name);
  for (let n = 2; slugs.has(slug); n++) slug = `${slugify(name)}-${n}`;
  slugs.add(slug);

  const [primary, secondary] = department.options as [DemoOptionSpec, DemoOptionSpec | undefined];
  const variantCount = random.int(1, 4);
  const primaryValues = random.sample(primary.values, variantCount);
  // a second option only when it still leaves every variant distinct (it always does: the first differs)
  const fixedSecondary = secondary && random.chance(0.5) ? random.pick(secondary.values) : undefined;
  const basePrice = random.int(group.priceEur[0], group.priceEur[1]) * 100 + random.pick([0, 50, 90, 95, 99]);
  const baseWeight = random.int(group.weightGrams[0], group.weightGrams[1]);
  const code = `SM${String(index + 1).padStart(5, "0")}`;
  const variants = primaryValues.map((value, v): DemoVariant => {
    const optionValues: Record<string, string> = { [primary.name]: value };
    if (fixedSecondary && secondary) optionValues[secondary.name] = fixedSecondary;
    return {
      sku: `${code}-${v + 1}`,
      optionValues,
      // bigger sizes and capacities cost a little more
      priceMinor: basePrice + v * random.pick([0, 0, 200, 500]),
      weightGrams: baseWeight + v * Math.round(baseWeight * 0.05),
    };
  });

  const description = [
    `The ${adjective.toLowerCase()} ${noun.toLowerCase()} by ${brand}, in ${material.toLowerCase()}.`,
    `Perfect for ${random.pick(OCCASIONS)}; ${random.pick(FEATURES)} and ${random.pick(FEATURES)}.`,
    `Part of our ${group.name.toLowerCase()} range.`,
  ].join(" ");
  return {
    slug,
    name,
    description,
    categorySlugs: [leaf.slug],
    attributes: [
      { name: "brand", value: brand },
      { name: "material", value: material },
      // a colour that is not an option of the variants is a fact of the product
      ...(variants[0]?.optionValues.colour
        ? []
        : [{ name: "colour", value: random.pick(["Black", "Natural", "Grey"]) }]),
    ],
    images: [{ url: `https://images.shopmesh.dev/demo/${slug}.jpg`, altText: name }],
    variants,
  };
}

type DemoOptionSpec = DepartmentSpec["options"][number];

/** "Women's Tops & More" → "womens-tops-more": lower case letters, digits and single hyphens. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f']/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
