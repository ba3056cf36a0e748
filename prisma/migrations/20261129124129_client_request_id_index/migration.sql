-- history(filter: {clientRequestId}) across keys (an admin key, or open mode): the unique index on
-- ("apiKeyId", "clientRequestId") leads with the key, so PostgreSQL read all of it (16 ms at a million rows)
-- since the api_keys migration replaced the index on "clientRequestId" alone. Only rows that have an id are
-- indexed. Declared here, not in schema.prisma: Prisma keeps a partial index it does not manage only while its
-- partialIndexes preview is off, and its offline drift check does not recognise one it manages.
-- CreateIndex
CREATE INDEX "description_request_clientRequestId_idx" ON "description_request"("clientRequestId") WHERE ("clientRequestId" IS NOT NULL);
