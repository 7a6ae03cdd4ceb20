-- Batched posting: many transfers and deposits in one call and one transaction (post_transfers), and
-- responses built as json in the API's field order, so the service sends the stored text as it is.

-- json keeps its text as written; jsonb reorders keys (shortest first), which the service then had to
-- parse and re-serialise on every posting. Responses stored before this migration are rebuilt below.
ALTER TABLE idempotency_keys ALTER COLUMN response TYPE json USING response::json;

-- The one place a posting's JSON shape is written down on the database side. The field order is the
-- API's (src/routes/responses.ts: TransferResponse, DepositResponse; a test compares them). A deposit
-- carries its account's balance after the deposit when `p_balance` is given (the POST response) and
-- omits it otherwise (GET /v1/transfers/:id: the balance changes later).
CREATE FUNCTION posting_json(
  p_id        uuid,
  p_kind      text,
  p_from      uuid,
  p_to        uuid,
  p_amount    bigint,
  p_currency  text,
  p_reference text,
  p_created   timestamptz,
  p_balance   bigint
) RETURNS json LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN p_kind = 'transfer' THEN json_build_object(
      'id', p_id, 'kind', p_kind, 'fromAccountId', p_from, 'toAccountId', p_to, 'amount', p_amount,
      'currency', p_currency, 'reference', p_reference,
      'createdAt', to_char(p_created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    WHEN p_balance IS NULL THEN json_build_object(
      'id', p_id, 'kind', p_kind, 'accountId', p_to, 'amount', p_amount, 'currency', p_currency,
      'reference', p_reference,
      'createdAt', to_char(p_created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    ELSE json_build_object(
      'id', p_id, 'kind', p_kind, 'accountId', p_to, 'amount', p_amount, 'currency', p_currency,
      'balance', p_balance, 'reference', p_reference,
      'createdAt', to_char(p_created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
  END
$$;

-- Stored responses in the new order, rebuilt from the ledger's own (append-only) rows: a deposit's
-- balance is the balance_after of its credit entry.
UPDATE idempotency_keys k
   SET response = posting_json(t.id, t.kind, t.from_account_id, t.to_account_id, t.amount, t.currency,
                               t.reference, t.created_at, e.balance_after)
  FROM transfers t
  JOIN entries e ON e.transfer_id = t.id AND e.account_id = t.to_account_id
 WHERE k.transfer_id = t.id;

-- The single posting, unchanged in its rules (0001), now answering json in the API's order.
DROP FUNCTION post_transfer(text, text, text, text, uuid, uuid, bigint, text);
CREATE FUNCTION post_transfer(
  p_customer  text,
  p_key       text,
  p_hash      text,
  p_kind      text,
  p_from      uuid,
  p_to        uuid,
  p_amount    bigint,
  p_reference text
) RETURNS TABLE (outcome text, status_code integer, body json)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_existing idempotency_keys%ROWTYPE;
  v_from     accounts%ROWTYPE;
  v_to       accounts%ROWTYPE;
  v_row      accounts%ROWTYPE;
  v_id       uuid;
  v_created  timestamptz;
  v_from_bal bigint;
  v_to_bal   bigint;
  v_body     json;
  v_outcome  text;
  v_status   integer;
  v_detail   json;
BEGIN
  INSERT INTO idempotency_keys (customer_id, key, request_hash)
  VALUES (p_customer, p_key, p_hash)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    SELECT * INTO v_existing FROM idempotency_keys k WHERE k.customer_id = p_customer AND k.key = p_key;
    IF v_existing.request_hash <> p_hash OR v_existing.status_code IS NULL THEN
      RETURN QUERY SELECT 'idempotency_conflict'::text, 409, NULL::json;
    ELSE
      RETURN QUERY SELECT 'replayed'::text, v_existing.status_code::integer, v_existing.response;
    END IF;
    RETURN;
  END IF;

  IF p_kind = 'deposit' THEN
    SELECT a.id INTO p_from
      FROM accounts a
      JOIN accounts dest ON dest.id = p_to AND dest.customer_id = p_customer AND dest.kind = 'customer'
     WHERE a.kind = 'clearing' AND a.currency = dest.currency;
  END IF;

  FOR v_row IN SELECT * FROM accounts WHERE id IN (p_from, p_to) ORDER BY id FOR UPDATE LOOP
    IF v_row.id = p_from THEN v_from := v_row; ELSE v_to := v_row; END IF;
  END LOOP;

  IF p_kind = 'deposit' AND p_from IS NULL THEN
    v_outcome := 'not_found'; v_status := 404; v_detail := json_build_object('account', 'to');
  ELSIF v_from.id IS NULL OR (p_kind = 'transfer' AND (v_from.customer_id <> p_customer OR v_from.kind <> 'customer')) THEN
    v_outcome := 'not_found'; v_status := 404; v_detail := json_build_object('account', 'from');
  ELSIF v_to.id IS NULL OR v_to.kind <> 'customer' THEN
    v_outcome := 'not_found'; v_status := 404; v_detail := json_build_object('account', 'to');
  ELSIF v_from.currency <> v_to.currency THEN
    v_outcome := 'currency_mismatch'; v_status := 422;
    v_detail := json_build_object('fromCurrency', v_from.currency, 'toCurrency', v_to.currency);
  ELSIF v_from.kind = 'customer' AND v_from.balance < p_amount THEN
    v_outcome := 'insufficient_funds'; v_status := 422;
  END IF;
  IF v_outcome IS NOT NULL THEN
    -- Rejected: release the key so nothing of this request remains.
    DELETE FROM idempotency_keys k WHERE k.customer_id = p_customer AND k.key = p_key;
    RETURN QUERY SELECT v_outcome, v_status, v_detail;
    RETURN;
  END IF;

  INSERT INTO transfers (kind, customer_id, from_account_id, to_account_id, amount, currency, reference)
  VALUES (p_kind, p_customer, v_from.id, v_to.id, p_amount, v_from.currency, p_reference)
  RETURNING id, created_at INTO v_id, v_created;

  UPDATE accounts SET balance = balance - p_amount WHERE id = v_from.id RETURNING balance INTO v_from_bal;
  UPDATE accounts SET balance = balance + p_amount WHERE id = v_to.id RETURNING balance INTO v_to_bal;

  INSERT INTO entries (transfer_id, account_id, amount, balance_after)
  VALUES (v_id, v_from.id, -p_amount, v_from_bal), (v_id, v_to.id, p_amount, v_to_bal);

  v_body := posting_json(v_id, p_kind, v_from.id, v_to.id, p_amount, v_from.currency, p_reference,
                         v_created, v_to_bal);

  UPDATE idempotency_keys k SET status_code = 201, response = v_body, transfer_id = v_id
   WHERE k.customer_id = p_customer AND k.key = p_key;

  RETURN QUERY SELECT 'completed'::text, 201, v_body;
END;
$$;

-- Posts a batch: item i is (p_customers[i], p_keys[i], ..., p_references[i]), the parameters of
-- post_transfer. One call, one transaction, one commit for all of them. Each item gets its own outcome,
-- exactly as post_transfer would give it had the items been posted one after another in batch order;
-- a rejected item never fails the others.
--
-- Locks are taken in one global order so batches, single postings and opposite transfers cannot
-- deadlock: first every idempotency key the batch claims, sorted by (customer, key); then every
-- account the batch touches, sorted by id. Nothing is locked after that. Decisions are made in batch
-- order against the locked balances held in memory; the writes are then a few set-based statements.
--
-- Keys: a key another transaction holds is waited for (the unique index), then replayed or refused
-- as post_transfer does. A key that appears several times in one batch belongs to its first item: a
-- later item with the same key replays that item's response (same request) or is refused with 409
-- (another request); if the first item was rejected the key is free again and the later item is
-- posted on its own merits, as it would be when sent after the rejection.
CREATE FUNCTION post_transfers(
  p_customers  text[],
  p_keys       text[],
  p_hashes     text[],
  p_kinds      text[],
  p_from       uuid[],
  p_to         uuid[],
  p_amounts    bigint[],
  p_references text[]
) RETURNS TABLE (item integer, outcome text, status_code integer, body json)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  n           integer := coalesce(cardinality(p_keys), 0);
  v_first     integer[];          -- per item: the batch's first item with the same customer and key
  v_claimed   boolean[];          -- per first item: this batch claimed its key
  v_resp      json[];             -- per first item: the response of the item that completed with the key
  v_hash      text[];             -- per first item: the request hash of that item
  v_source    uuid[];             -- per item: the account debited (a deposit's clearing account)
  v_ids       uuid[];
  v_existing  record;
  -- The locked accounts, sorted by id, and their balances as the batch moves them.
  a_id        uuid[];
  a_customer  text[];
  a_kind      text[];
  a_currency  text[];
  a_balance   bigint[];
  -- Per item results.
  r_outcome   text[];
  r_status    integer[];
  r_body      json[];
  -- Rows to write.
  w           integer := 0;
  w_id        uuid[];
  w_kind      text[];
  w_customer  text[];
  w_from      uuid[];
  w_to        uuid[];
  w_amount    bigint[];
  w_currency  text[];
  w_reference text[];
  w_key       text[];
  w_body      json[];
  e_transfer  uuid[] := '{}';
  e_account   uuid[] := '{}';
  e_amount    bigint[] := '{}';
  e_balance   bigint[] := '{}';
  i           integer;
  f           integer;
  fi          integer;
  ti          integer;
  v_id        uuid;
  v_now       timestamptz := now();
BEGIN
  IF n = 0 THEN RETURN; END IF;
  IF coalesce(cardinality(p_customers), 0) <> n OR coalesce(cardinality(p_hashes), 0) <> n
     OR coalesce(cardinality(p_kinds), 0) <> n OR coalesce(cardinality(p_from), 0) <> n
     OR coalesce(cardinality(p_to), 0) <> n OR coalesce(cardinality(p_amounts), 0) <> n
     OR coalesce(cardinality(p_references), 0) <> n THEN
    RAISE EXCEPTION 'post_transfers: every parameter array must hold % items', n
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  SELECT array_agg(s.first ORDER BY s.i) INTO v_first
    FROM (SELECT g.i, min(g.i) OVER (PARTITION BY p_customers[g.i], p_keys[g.i]) AS first
            FROM generate_subscripts(p_keys, 1) AS g(i)) s;
  v_claimed := array_fill(false, ARRAY[n]);
  v_resp := array_fill(NULL::json, ARRAY[n]);
  v_hash := array_fill(NULL::text, ARRAY[n]);
  r_outcome := array_fill(NULL::text, ARRAY[n]);
  r_status := array_fill(NULL::integer, ARRAY[n]);
  r_body := array_fill(NULL::json, ARRAY[n]);

  -- 1. Claim the keys, in (customer, key) order.
  FOR i IN
    WITH firsts AS (
      SELECT g.i, p_customers[g.i] AS c, p_keys[g.i] AS k, p_hashes[g.i] AS h
        FROM generate_subscripts(p_keys, 1) AS g(i)
       WHERE v_first[g.i] = g.i
    ), claimed AS (
      INSERT INTO idempotency_keys (customer_id, key, request_hash)
      SELECT c, k, h FROM firsts ORDER BY c, k
      ON CONFLICT DO NOTHING
      RETURNING customer_id, key
    )
    SELECT firsts.i FROM firsts JOIN claimed ON claimed.customer_id = firsts.c AND claimed.key = firsts.k
  LOOP
    v_claimed[i] := true;
  END LOOP;

  -- 2. A deposit's source: the clearing account of its destination's currency, when the destination
  --    is one of the customer's own accounts.
  SELECT array_agg(
           CASE WHEN p_kinds[g.i] = 'deposit' THEN
             (SELECT a.id FROM accounts a
                JOIN accounts dest ON dest.id = p_to[g.i] AND dest.customer_id = p_customers[g.i]
                                  AND dest.kind = 'customer'
               WHERE a.kind = 'clearing' AND a.currency = dest.currency)
           ELSE p_from[g.i] END
           ORDER BY g.i)
    INTO v_source
    FROM generate_subscripts(p_keys, 1) AS g(i);

  -- 3. Lock every account the postings to be decided touch, in id order.
  SELECT array_agg(DISTINCT x.id) INTO v_ids
    FROM generate_subscripts(p_keys, 1) AS g(i),
         LATERAL (VALUES (v_source[g.i]), (p_to[g.i])) AS x(id)
   WHERE v_claimed[v_first[g.i]] AND x.id IS NOT NULL;
  SELECT array_agg(l.id ORDER BY l.id), array_agg(l.customer_id ORDER BY l.id),
         array_agg(l.kind ORDER BY l.id), array_agg(l.currency::text ORDER BY l.id),
         array_agg(l.balance::bigint ORDER BY l.id)
    INTO a_id, a_customer, a_kind, a_currency, a_balance
    FROM (SELECT a.id, a.customer_id, a.kind, a.currency, a.balance
            FROM accounts a WHERE a.id = ANY (coalesce(v_ids, '{}')) ORDER BY a.id FOR UPDATE) l;

  -- 4. Decide each item in batch order, as post_transfer would.
  FOR i IN 1 .. n LOOP
    f := v_first[i];
    IF NOT v_claimed[f] THEN
      -- Held by another (now finished) transaction.
      SELECT k.request_hash, k.status_code, k.response INTO v_existing
        FROM idempotency_keys k WHERE k.customer_id = p_customers[i] AND k.key = p_keys[i];
      IF v_existing.request_hash IS DISTINCT FROM p_hashes[i] OR v_existing.status_code IS NULL THEN
        r_outcome[i] := 'idempotency_conflict'; r_status[i] := 409;
      ELSE
        r_outcome[i] := 'replayed'; r_status[i] := v_existing.status_code; r_body[i] := v_existing.response;
      END IF;
      CONTINUE;
    END IF;
    IF v_resp[f] IS NOT NULL THEN
      -- Completed earlier in this batch.
      IF v_hash[f] = p_hashes[i] THEN
        r_outcome[i] := 'replayed'; r_status[i] := 201; r_body[i] := v_resp[f];
      ELSE
        r_outcome[i] := 'idempotency_conflict'; r_status[i] := 409;
      END IF;
      CONTINUE;
    END IF;

    fi := array_position(a_id, v_source[i]);
    ti := array_position(a_id, p_to[i]);
    IF p_kinds[i] = 'deposit' AND v_source[i] IS NULL THEN
      r_outcome[i] := 'not_found'; r_status[i] := 404; r_body[i] := json_build_object('account', 'to');
    ELSIF fi IS NULL OR (p_kinds[i] = 'transfer' AND (a_customer[fi] <> p_customers[i] OR a_kind[fi] <> 'customer')) THEN
      r_outcome[i] := 'not_found'; r_status[i] := 404; r_body[i] := json_build_object('account', 'from');
    ELSIF ti IS NULL OR ti = fi OR a_kind[ti] <> 'customer' THEN
      -- ti = fi: post_transfer finds no second account either (the API refuses it before).
      r_outcome[i] := 'not_found'; r_status[i] := 404; r_body[i] := json_build_object('account', 'to');
    ELSIF a_currency[fi] <> a_currency[ti] THEN
      r_outcome[i] := 'currency_mismatch'; r_status[i] := 422;
      r_body[i] := json_build_object('fromCurrency', a_currency[fi], 'toCurrency', a_currency[ti]);
    ELSIF a_kind[fi] = 'customer' AND a_balance[fi] < p_amounts[i] THEN
      r_outcome[i] := 'insufficient_funds'; r_status[i] := 422;
    ELSE
      v_id := gen_random_uuid();
      a_balance[fi] := a_balance[fi] - p_amounts[i];
      a_balance[ti] := a_balance[ti] + p_amounts[i];
      w := w + 1;
      w_id[w] := v_id; w_kind[w] := p_kinds[i]; w_customer[w] := p_customers[i];
      w_from[w] := a_id[fi]; w_to[w] := a_id[ti]; w_amount[w] := p_amounts[i];
      w_currency[w] := a_currency[fi]; w_reference[w] := p_references[i]; w_key[w] := p_keys[i];
      e_transfer := e_transfer || ARRAY[v_id, v_id];
      e_account := e_account || ARRAY[a_id[fi], a_id[ti]];
      e_amount := e_amount || ARRAY[-p_amounts[i], p_amounts[i]];
      e_balance := e_balance || ARRAY[a_balance[fi], a_balance[ti]];
      r_outcome[i] := 'completed'; r_status[i] := 201;
      r_body[i] := posting_json(v_id, p_kinds[i], a_id[fi], a_id[ti], p_amounts[i], a_currency[fi],
                                p_references[i], v_now, a_balance[ti]);
      w_body[w] := r_body[i];
      v_resp[f] := r_body[i];
      v_hash[f] := p_hashes[i];
    END IF;
  END LOOP;

  -- 5. Write the completed postings: transfers, balances, entries (in batch order, so entry ids follow
  --    the order of the balances they record), and their keys.
  IF w > 0 THEN
    INSERT INTO transfers (id, kind, customer_id, from_account_id, to_account_id, amount, currency, reference, created_at)
    SELECT t.id, t.kind, t.customer_id, t.from_id, t.to_id, t.amount, t.currency, t.reference, v_now
      FROM unnest(w_id, w_kind, w_customer, w_from, w_to, w_amount, w_currency, w_reference)
           AS t(id, kind, customer_id, from_id, to_id, amount, currency, reference);
    UPDATE accounts a SET balance = u.balance
      FROM unnest(a_id, a_balance) AS u(id, balance)
     WHERE a.id = u.id AND a.balance <> u.balance;
    INSERT INTO entries (transfer_id, account_id, amount, balance_after)
    SELECT e.transfer_id, e.account_id, e.amount, e.balance_after
      FROM unnest(e_transfer, e_account, e_amount, e_balance) WITH ORDINALITY
           AS e(transfer_id, account_id, amount, balance_after, position)
     ORDER BY e.position;
    UPDATE idempotency_keys k SET status_code = 201, response = u.body, transfer_id = u.id
      FROM unnest(w_customer, w_key, w_body, w_id) AS u(customer_id, key, body, id)
     WHERE k.customer_id = u.customer_id AND k.key = u.key;
  END IF;

  -- 6. Release the keys this batch claimed for postings that were all rejected.
  DELETE FROM idempotency_keys k
   USING generate_subscripts(p_keys, 1) AS g(i)
   WHERE v_first[g.i] = g.i AND v_claimed[g.i] AND v_resp[g.i] IS NULL
     AND k.customer_id = p_customers[g.i] AND k.key = p_keys[g.i];

  RETURN QUERY SELECT g.i, r_outcome[g.i], r_status[g.i], r_body[g.i]
                 FROM generate_subscripts(p_keys, 1) AS g(i) ORDER BY g.i;
END;
$$;

-- As post_transfer (0002): the service's role calls the posting functions, which run as their owner
-- with a fixed search_path; posting_json is pure and builds GET /v1/transfers/:id's body too.
DO $$
DECLARE
  v_path text := format('%I, pg_temp', current_schema());
BEGIN
  EXECUTE format('ALTER FUNCTION post_transfer(text, text, text, text, uuid, uuid, bigint, text) SECURITY DEFINER SET search_path = %s', v_path);
  EXECUTE format('ALTER FUNCTION post_transfers(text[], text[], text[], text[], uuid[], uuid[], bigint[], text[]) SECURITY DEFINER SET search_path = %s', v_path);
  EXECUTE format('ALTER FUNCTION posting_json(uuid, text, uuid, uuid, bigint, text, text, timestamptz, bigint) SET search_path = %s', v_path);
END
$$;

REVOKE ALL ON FUNCTION
  post_transfer(text, text, text, text, uuid, uuid, bigint, text),
  post_transfers(text[], text[], text[], text[], uuid[], uuid[], bigint[], text[]),
  posting_json(uuid, text, uuid, uuid, bigint, text, text, timestamptz, bigint)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  post_transfer(text, text, text, text, uuid, uuid, bigint, text),
  post_transfers(text[], text[], text[], text[], uuid[], uuid[], bigint[], text[]),
  posting_json(uuid, text, uuid, uuid, bigint, text, text, timestamptz, bigint)
TO bank_api;
