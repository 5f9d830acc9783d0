/**
 * The vocabulary of the demo catalog: departments (top-level categories), their groups (second
 * level) and leaves (third level), and the words products are made of. Realistic enough that
 * search, facets and typeahead show something sensible for "linen shirt" or "wireless".
 */

/** An option a variant can differ by, with the values it takes. */
export interface OptionSpec {
  name: string;
  values: readonly string[];
}

export interface GroupSpec {
  name: string;
  /** Third-level categories; products of the group land in one of them. */
  leaves: readonly string[];
  /** What a product of the group is ("Shirt", "Kettle"). */
  nouns: readonly string[];
  /** Price range of a variant in whole euros. */
  priceEur: readonly [number, number];
  /** Shipping weight range in grams. */
  weightGrams: readonly [number, number];
}

export interface DepartmentSpec {
  name: string;
  description: string;
  brands: readonly string[];
  materials: readonly string[];
  /** The first option is always used; the second for some products. */
  options: readonly OptionSpec[];
  groups: readonly GroupSpec[];
}

const COLOURS = [
  "Black",
  "White",
  "Navy",
  "Grey",
  "Olive",
  "Sand",
  "Red",
  "Forest Green",
  "Sky Blue",
  "Rust",
];
const SIZES = ["XS", "S", "M", "L", "XL"];

export const DEPARTMENTS: readonly DepartmentSpec[] = [
  {
    name: "Women",
    description: "Clothing for women: everyday basics to occasion wear.",
    brands: ["Nordlys", "Atelier Mira", "Kestrel", "Solenne"],
    materials: ["Cotton", "Linen", "Merino Wool", "Silk", "Organic Cotton", "Viscose"],
    options: [
      { name: "size", values: SIZES },
      { name: "colour", values: COLOURS },
    ],
    groups: [
      {
        name: "Women's Tops",
        leaves: ["Blouses", "T-Shirts", "Knitwear"],
        nouns: ["Blouse", "T-Shirt", "Tank Top", "Cardigan", "Jumper", "Tunic"],
        priceEur: [15, 90],
        weightGrams: [120, 450],
      },
      {
        name: "Women's Dresses",
        leaves: ["Day Dresses", "Evening Dresses"],
        nouns: ["Wrap Dress", "Midi Dress", "Maxi Dress", "Shirt Dress", "Slip Dress"],
        priceEur: [35, 180],
        weightGrams: [200, 600],
      },
      {
        name: "Women's Trousers",
        leaves: ["Jeans", "Chinos", "Leggings"],
        nouns: ["Jeans", "Wide-Leg Trousers", "Chinos", "Leggings", "Culottes"],
        priceEur: [25, 120],
        weightGrams: [250, 700],
      },
    ],
  },
  {
    name: "Men",
    description: "Clothing for men: shirts, trousers, outerwear.",
    brands: ["Hartwell", "Fjordline", "Bramble & Co", "Ostara"],
    materials: ["Cotton", "Linen", "Denim", "Merino Wool", "Flannel", "Recycled Polyester"],
    options: [
      { name: "size", values: SIZES },
      { name: "colour", values: COLOURS },
    ],
    groups: [
      {
        name: "Men's Shirts",
        leaves: ["Casual Shirts", "Formal Shirts"],
        nouns: ["Oxford Shirt", "Linen Shirt", "Flannel Shirt", "Polo Shirt", "Overshirt"],
        priceEur: [20, 110],
        weightGrams: [180, 450],
      },
      {
        name: "Men's Trousers",
        leaves: ["Jeans", "Chinos", "Joggers"],
        nouns: ["Slim Jeans", "Chinos", "Cargo Trousers", "Joggers", "Shorts"],
        priceEur: [25, 130],
        weightGrams: [250, 750],
      },
      {
        name: "Men's Outerwear",
        leaves: ["Jackets", "Coats"],
        nouns: ["Parka", "Bomber Jacket", "Rain Jacket", "Wool Coat", "Gilet", "Puffer Jacket"],
        priceEur: [60, 320],
        weightGrams: [500, 1800],
      },
    ],
  },
  {
    name: "Shoes",
    description: "Trainers, boots and everything in between.",
    brands: ["Stridewell", "Pathmark", "Loma", "Granite Peak"],
    materials: ["Leather", "Suede", "Canvas", "Recycled Mesh", "Nubuck"],
    options: [
      { name: "size", values: ["38", "39", "40", "41", "42", "43", "44", "45"] },
      { name: "colour", values: ["Black", "White", "Brown", "Tan", "Grey", "Navy"] },
    ],
    groups: [
      {
        name: "Trainers",
        leaves: ["Running Shoes", "Lifestyle Trainers"],
        nouns: ["Running Shoe", "Trail Runner", "Court Trainer", "Knit Sneaker", "Racing Flat"],
        priceEur: [45, 190],
        weightGrams: [500, 1100],
      },
      {
        name: "Boots",
        leaves: ["Hiking Boots", "Chelsea Boots", "Winter Boots"],
        nouns: ["Hiking Boot", "Chelsea Boot", "Work Boot", "Snow Boot", "Desert Boot"],
        priceEur: [70, 260],
        weightGrams: [900, 2000],
      },
      {
        name: "Sandals & Slippers",
        leaves: ["Sandals", "Slippers"],
        nouns: ["Sandal", "Slide", "Espadrille", "Moccasin Slipper", "Flip-Flop"],
        priceEur: [15, 90],
        weightGrams: [200, 700],
      },
    ],
  },
  {
    name: "Accessories",
    description: "Bags, watches, hats and small things that finish an outfit.",
    brands: ["Carryall", "Meridian", "Tolva", "Harbour Lane"],
    materials: ["Leather", "Canvas", "Stainless Steel", "Wool", "Recycled Nylon"],
    options: [
      { name: "colour", values: ["Black", "Brown", "Tan", "Navy", "Olive", "Burgundy"] },
      { name: "size", values: ["One Size", "Small", "Large"] },
    ],
    groups: [
      {
        name: "Bags",
        leaves: ["Backpacks", "Tote Bags", "Travel Bags"],
        nouns: ["Backpack", "Tote Bag", "Duffel Bag", "Messenger Bag", "Weekender", "Crossbody Bag"],
        priceEur: [30, 240],
        weightGrams: [300, 1500],
      },
      {
        name: "Watches & Jewellery",
        leaves: ["Watches", "Jewellery"],
        nouns: ["Field Watch", "Dive Watch", "Chronograph", "Bracelet", "Necklace", "Signet Ring"],
        priceEur: [25, 450],
        weightGrams: [30, 250],
      },
      {
        name: "Hats, Scarves & Gloves",
        leaves: ["Hats", "Scarves", "Gloves"],
        nouns: ["Beanie", "Baseball Cap", "Bucket Hat", "Scarf", "Gloves", "Snood"],
        priceEur: [10, 70],
        weightGrams: [50, 300],
      },
    ],
  },
  {
    name: "Home & Living",
    description: "Furniture, textiles and decoration for every room.",
    brands: ["Hyggehus", "Oakhaven", "Lumen & Loom", "Casa Terra"],
    materials: ["Oak", "Walnut", "Linen", "Wool", "Ceramic", "Rattan", "Velvet"],
    options: [
      { name: "colour", values: ["Natural", "Charcoal", "Sage", "Terracotta", "Ivory", "Ochre"] },
      { name: "size", values: ["Small", "Medium", "Large"] },
    ],
    groups: [
      {
        name: "Furniture",
        leaves: ["Chairs", "Tables", "Shelving"],
        nouns: ["Dining Chair", "Side Table", "Coffee Table", "Bookshelf", "Stool", "Armchair"],
        priceEur: [40, 650],
        weightGrams: [2000, 30000],
      },
      {
        name: "Textiles",
        leaves: ["Bedding", "Cushions", "Rugs"],
        nouns: ["Duvet Cover", "Throw", "Cushion Cover", "Rug", "Blanket", "Curtain"],
        priceEur: [15, 220],
        weightGrams: [300, 5000],
      },
      {
        name: "Decor & Lighting",
        leaves: ["Lamps", "Vases", "Candles"],
        nouns: ["Table Lamp", "Floor Lamp", "Pendant Light", "Vase", "Candle Holder", "Mirror"],
        priceEur: [12, 280],
        weightGrams: [200, 8000],
      },
    ],
  },
  {
    name: "Kitchen",
    description: "Cookware, tableware and small appliances.",
    brands: ["Ferro", "Saltbush", "Kobo Kitchen", "Alder & Ash"],
    materials: ["Cast Iron", "Stainless Steel", "Stoneware", "Porcelain", "Glass", "Bamboo"],
    options: [
      { name: "colour", values: ["Black", "White", "Cream", "Slate", "Red", "Sage"] },
      { name: "size", values: ["Small", "Medium", "Large"] },
    ],
    groups: [
      {
        name: "Cookware",
        leaves: ["Pans", "Pots", "Bakeware"],
        nouns: ["Frying Pan", "Skillet", "Saucepan", "Casserole Dish", "Wok", "Baking Tray"],
        priceEur: [18, 240],
        weightGrams: [600, 5500],
      },
      {
        name: "Tableware",
        leaves: ["Plates & Bowls", "Glassware", "Cutlery"],
        nouns: ["Dinner Plate Set", "Bowl Set", "Mug", "Tumbler Set", "Wine Glass Set", "Cutlery Set"],
        priceEur: [10, 150],
        weightGrams: [300, 4000],
      },
      {
        name: "Small Appliances",
        leaves: ["Coffee Makers", "Kettles & Toasters"],
        nouns: ["Espresso Machine", "Pour-Over Kettle", "Electric Kettle", "Toaster", "Hand Blender"],
        priceEur: [25, 480],
        weightGrams: [800, 9000],
      },
    ],
  },
  {
    name: "Electronics",
    description: "Audio, computing accessories and smart home.",
    brands: ["Voltra", "Sonique", "Pixelwave", "Arcadia Labs"],
    materials: ["Aluminium", "Recycled Plastic", "Glass", "Silicone", "Fabric"],
    options: [
      { name: "colour", values: ["Black", "White", "Silver", "Space Grey", "Blue"] },
      { name: "capacity", values: ["64 GB", "128 GB", "256 GB", "512 GB"] },
    ],
    groups: [
      {
        name: "Audio",
        leaves: ["Headphones", "Speakers"],
        nouns: ["Wireless Headphones", "Earbuds", "Bluetooth Speaker", "Soundbar", "Turntable"],
        priceEur: [25, 400],
        weightGrams: [50, 4000],
      },
      {
        name: "Computer Accessories",
        leaves: ["Keyboards & Mice", "Storage", "Cables & Chargers"],
        nouns: ["Mechanical Keyboard", "Wireless Mouse", "Portable SSD", "USB-C Hub", "Fast Charger"],
        priceEur: [12, 220],
        weightGrams: [40, 1200],
      },
      {
        name: "Smart Home",
        leaves: ["Smart Lighting", "Cameras & Sensors"],
        nouns: ["Smart Bulb", "Smart Plug", "Security Camera", "Motion Sensor", "Video Doorbell"],
        priceEur: [10, 250],
        weightGrams: [60, 900],
      },
    ],
  },
  {
    name: "Sports & Outdoors",
    description: "Kit for running, camping, cycling and the gym.",
    brands: ["Summit Trail", "Veloce", "Tidewater", "Ironbark"],
    materials: ["Ripstop Nylon", "Recycled Polyester", "Aluminium", "Neoprene", "Merino Wool"],
    options: [
      { name: "colour", values: ["Black", "Orange", "Teal", "Lime", "Grey", "Navy"] },
      { name: "size", values: ["S", "M", "L"] },
    ],
    groups: [
      {
        name: "Camping",
        leaves: ["Tents", "Sleeping Bags", "Camp Kitchen"],
        nouns: ["Tent", "Sleeping Bag", "Sleeping Mat", "Camping Stove", "Headlamp", "Water Bottle"],
        priceEur: [12, 450],
        weightGrams: [100, 4500],
      },
      {
        name: "Cycling",
        leaves: ["Bike Accessories", "Cycling Clothing"],
        nouns: ["Bike Light Set", "Helmet", "Cycling Jersey", "Bike Lock", "Saddle Bag", "Bike Pump"],
        priceEur: [15, 220],
        weightGrams: [100, 1500],
      },
      {
        name: "Fitness",
        leaves: ["Yoga", "Weights"],
        nouns: ["Yoga Mat", "Kettlebell", "Dumbbell Set", "Resistance Bands", "Foam Roller"],
        priceEur: [10, 200],
        weightGrams: [300, 20000],
      },
    ],
  },
];

/** Words that make names varied, and descriptions searchable. */
export const ADJECTIVES = [
  "Classic",
  "Everyday",
  "Essential",
  "Relaxed",
  "Slim",
  "Heritage",
  "Lightweight",
  "Premium",
  "Organic",
  "Vintage",
  "Modern",
  "Compact",
  "Rugged",
  "Soft",
  "Minimal",
  "Weekend",
  "Studio",
  "Coastal",
  "Alpine",
  "Urban",
];

export const FEATURES = [
  "built to last",
  "easy to care for",
  "made in small batches",
  "designed in Copenhagen",
  "water resistant",
  "machine washable",
  "with a lifetime repair promise",
  "ethically sourced",
  "finished by hand",
  "packed without plastic",
  "tested in the Alps",
  "a customer favourite",
];

export const OCCASIONS = [
  "the daily commute",
  "long weekends away",
  "slow Sunday mornings",
  "the office",
  "city breaks",
  "rainy autumn days",
  "summer evenings",
  "the first cold snap",
  "gifting",
  "work from home",
];
