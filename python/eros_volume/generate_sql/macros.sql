-- u1(salt, a), u2(salt, a, b), u3(salt, a, b, c): uniform doubles in [0, 1), from the top 53
-- bits of a chain of 64-bit mixes (DuckDB's hash of an integer is a murmur finalizer). Not
-- hash(seed, salt, a) directly: DuckDB combines the hashes of several arguments by xor-like
-- steps, so two salts give strongly correlated draws for the same key.
create or replace temp macro mixk(k, a) as hash(xor(k, hash(a)));
create or replace temp macro u1(s, a) as
    (mixk(hash($seed::bigint, s), a) >> 11) / 9007199254740992.0;
create or replace temp macro u2(s, a, b) as
    (mixk(mixk(hash($seed::bigint, s), a), b) >> 11) / 9007199254740992.0;
create or replace temp macro u3(s, a, b, c) as
    (mixk(mixk(mixk(hash($seed::bigint, s), a), b), c) >> 11) / 9007199254740992.0;
create or replace temp macro pick(xs, r) as xs[1 + floor(r * len(xs))::bigint];
create or replace temp macro ts_text(t) as strftime(t, '%Y-%m-%d %H:%M:%S');
create or replace temp macro clamp(x, lo, hi) as least(greatest(x, lo), hi);
