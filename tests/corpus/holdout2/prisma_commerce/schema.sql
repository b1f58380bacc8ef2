-- The storefront as `prisma migrate` creates it from schema.prisma, foreign keys dropped.
CREATE TYPE "order_status" AS ENUM ('PENDING', 'PAID', 'SHIPPED', 'REFUNDED');
CREATE TABLE "customers" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "stripe_customer_id" TEXT,
    "referred_by_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "customers_email_key" ON "customers"("email");
CREATE UNIQUE INDEX "customers_stripe_customer_id_key" ON "customers"("stripe_customer_id");
CREATE TABLE "addresses" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "line1" TEXT NOT NULL,
    "city" TEXT NOT NULL,
    "country" CHAR(2) NOT NULL,
    CONSTRAINT "addresses_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "categories" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "parent_id" INTEGER,
    CONSTRAINT "categories_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "categories_slug_key" ON "categories"("slug");
CREATE TABLE "brands" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "brands_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "brands_name_key" ON "brands"("name");
CREATE TABLE "products" (
    "id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "brand_id" INTEGER,
    "shopify_product_id" TEXT,
    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "products_sku_key" ON "products"("sku");
CREATE TABLE "product_categories" (
    "product_id" UUID NOT NULL,
    "category_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "product_categories_pkey" PRIMARY KEY ("product_id","category_id")
);
CREATE TABLE "variants" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "price_cents" INTEGER NOT NULL,
    "stock" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "variants_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "variants_sku_key" ON "variants"("sku");
CREATE TABLE "carts" (
    "id" UUID NOT NULL,
    "customer_id" UUID,
    "session_key" TEXT,
    CONSTRAINT "carts_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "carts_customer_id_key" ON "carts"("customer_id");
CREATE TABLE "cart_items" (
    "cart_id" UUID NOT NULL,
    "variant_id" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,
    CONSTRAINT "cart_items_pkey" PRIMARY KEY ("cart_id","variant_id")
);
CREATE TABLE "orders" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "customer_id" UUID NOT NULL,
    "billing_address_id" UUID,
    "shipping_address_id" UUID,
    "status" "order_status" NOT NULL DEFAULT 'PENDING',
    "payment_intent_id" TEXT,
    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "orders_number_key" ON "orders"("number");
CREATE TABLE "order_lines" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "variant_id" UUID,
    "quantity" INTEGER NOT NULL,
    "price_cents" INTEGER NOT NULL,
    CONSTRAINT "order_lines_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "shipments" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "carrier" TEXT NOT NULL,
    "tracking_number" TEXT,
    "shipped_at" TIMESTAMP(3),
    CONSTRAINT "shipments_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "reviews" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "rating" SMALLINT NOT NULL,
    "body" TEXT,
    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "reviews_product_id_customer_id_key" ON "reviews"("product_id", "customer_id");
CREATE TABLE "_Wishlist" ("A" UUID NOT NULL, "B" UUID NOT NULL, CONSTRAINT "_Wishlist_AB_pkey" PRIMARY KEY ("A","B"));
CREATE INDEX "_Wishlist_B_index" ON "_Wishlist"("B");
