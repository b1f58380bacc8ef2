-- The e-signature app as `prisma migrate` creates it from schema.prisma
-- (relationMode = "prisma": no foreign keys, an index on each relation column).
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TYPE "TeamRole" AS ENUM ('ADMIN', 'MANAGER', 'MEMBER');
CREATE TYPE "EnvelopeStatus" AS ENUM ('DRAFT', 'PENDING', 'COMPLETED', 'DECLINED');
CREATE TYPE "FieldType" AS ENUM ('SIGNATURE', 'NAME', 'DATE', 'TEXT');

CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "stripeCustomerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "role" "Role" NOT NULL DEFAULT 'USER',
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "User_stripeCustomerId_key" ON "User"("stripeCustomerId");

CREATE TABLE "UserSettings" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "signature" TEXT,
    CONSTRAINT "UserSettings_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "UserSettings_userId_key" ON "UserSettings"("userId");

CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "sessionToken" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

CREATE TABLE "Team" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "parentId" TEXT,
    CONSTRAINT "Team_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Team_url_key" ON "Team"("url");

CREATE TABLE "TeamMember" (
    "teamId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "TeamRole" NOT NULL DEFAULT 'MEMBER',
    "invitedById" TEXT,
    CONSTRAINT "TeamMember_pkey" PRIMARY KEY ("teamId", "userId")
);
CREATE INDEX "TeamMember_userId_idx" ON "TeamMember"("userId");

CREATE TABLE "Folder" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "parentId" TEXT,
    CONSTRAINT "Folder_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Envelope" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "status" "EnvelopeStatus" NOT NULL DEFAULT 'DRAFT',
    "ownerId" TEXT NOT NULL,
    "teamId" TEXT,
    "folderId" TEXT,
    "templateId" TEXT,
    "messageId" TEXT,
    "completedAt" TIMESTAMP(3),
    CONSTRAINT "Envelope_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Envelope_teamId_status_idx" ON "Envelope"("teamId", "status");

CREATE TABLE "EnvelopeItem" (
    "id" TEXT NOT NULL,
    "envelopeId" TEXT NOT NULL,
    "documentDataId" TEXT NOT NULL,
    "order" INTEGER NOT NULL,
    CONSTRAINT "EnvelopeItem_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "EnvelopeItem_documentDataId_key" ON "EnvelopeItem"("documentDataId");

CREATE TABLE "DocumentData" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "initialData" TEXT NOT NULL,
    CONSTRAINT "DocumentData_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Recipient" (
    "id" TEXT NOT NULL,
    "envelopeId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "token" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3),
    CONSTRAINT "Recipient_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Recipient_token_key" ON "Recipient"("token");
CREATE UNIQUE INDEX "Recipient_envelopeId_email_key" ON "Recipient"("envelopeId", "email");

CREATE TABLE "Field" (
    "id" TEXT NOT NULL,
    "envelopeItemId" TEXT NOT NULL,
    "recipientId" TEXT NOT NULL,
    "type" "FieldType" NOT NULL,
    "page" INTEGER NOT NULL,
    "positionX" DECIMAL(65,30) NOT NULL,
    "positionY" DECIMAL(65,30) NOT NULL,
    CONSTRAINT "Field_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Signature" (
    "id" TEXT NOT NULL,
    "fieldId" TEXT NOT NULL,
    "typedText" TEXT,
    "imageAsBase64" TEXT,
    CONSTRAINT "Signature_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Signature_fieldId_key" ON "Signature"("fieldId");

CREATE TABLE "Template" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "teamId" TEXT,
    "createdById" TEXT NOT NULL,
    CONSTRAINT "Template_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Tag" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Tag_teamId_name_key" ON "Tag"("teamId", "name");

CREATE TABLE "Webhook" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT,
    "teamId" TEXT NOT NULL,
    CONSTRAINT "Webhook_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "WebhookCall" (
    "id" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "requestId" TEXT,
    "responseCode" INTEGER NOT NULL,
    CONSTRAINT "WebhookCall_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3),
    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_tokens_token_key" ON "api_tokens"("token");

CREATE TABLE "AuditLog" (
    "id" TEXT NOT NULL,
    "envelopeId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "ipAddress" TEXT,
    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "_EnvelopeToTag" (
    "A" TEXT NOT NULL,
    "B" TEXT NOT NULL,
    CONSTRAINT "_EnvelopeToTag_AB_pkey" PRIMARY KEY ("A", "B")
);
CREATE INDEX "_EnvelopeToTag_B_index" ON "_EnvelopeToTag"("B");

CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id")
);

-- A little data, as a staging database has.
INSERT INTO "User" (id, email, name, "stripeCustomerId") VALUES
  ('clu1a', 'ada@example.com', 'Ada', 'cus_Q1w2E3r4'), ('clu1b', 'bob@example.com', 'Bob', 'cus_Z9x8C7v6');
INSERT INTO "Team" (id, name, url, "parentId") VALUES ('clt1', 'Legal', 'legal', NULL), ('clt2', 'Legal EU', 'legal-eu', 'clt1');
INSERT INTO "TeamMember" ("teamId", "userId", "invitedById") VALUES ('clt1', 'clu1a', NULL), ('clt1', 'clu1b', 'clu1a');
INSERT INTO "Envelope" (id, title, "ownerId", "teamId", "messageId") VALUES
  ('cle1', 'NDA', 'clu1a', 'clt1', '<20240101.abc@mail.example.com>'), ('cle2', 'Lease', 'clu1b', NULL, NULL);
INSERT INTO "WebhookCall" (id, "webhookId", "requestId", "responseCode") VALUES ('clw1', 'clh1', 'req_8f2a', 200);
