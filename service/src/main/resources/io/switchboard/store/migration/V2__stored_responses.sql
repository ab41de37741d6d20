-- Responses created through /v1/responses with store (the default), so that GET /v1/responses/{id},
-- its input_items and previous_response_id work for every provider. response and input_items are
-- JSON text (the response as the client saw it; this request's input items, each with an id).
-- key_id is the gateway key that created it (null without keys): only that key may read it.
-- previous_response_id links a conversation; the chain is walked when a later request names it.
-- Rows older than responses.retention are purged by the gateway.
CREATE TABLE stored_responses (
    id                   TEXT   NOT NULL PRIMARY KEY,
    key_id               TEXT,
    previous_response_id TEXT,
    created_at           BIGINT NOT NULL,
    response             TEXT   NOT NULL,
    input_items          TEXT   NOT NULL
);

CREATE INDEX stored_responses_created_at ON stored_responses (created_at);
