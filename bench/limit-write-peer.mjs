// The limit's PATCH as its author wrote it, in a server of its own.
//
// ../shared/peers/limit/server.mjs means to answer `PATCH /Users/{id}` with one `UPDATE` (its
// `req.method === 'PATCH' && m` branch), but its first branch, `if (m)`, answers every request to
// `/Users/{id}` with the get by id's `SELECT`, whatever the method: its PATCH reads and writes
// nothing (limit.bench.ts checks this on every run and says so). This server is that PATCH branch
// alone, as bare as the limit: node:http, a `pg` pool of 8, the same bearer check, body parse,
// statement and answer, on the limit's own table `limit_users` (the limit server made and seeded
// it). limit.bench.ts loads it beside Threshold's PATCH, so the write is measured against a write.
// usage (from the project root): DATABASE_URL=postgres://... PORT=18891 TOKEN=t node bench/limit-write-peer.mjs
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
const token = `Bearer ${process.env.TOKEN ?? 't'}`;

const user = (r) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: r.id, ...r.body, meta: { resourceType: 'User' } });
const text = (req) =>
  new Promise((ok, no) => {
    let b = '';
    req.on('data', (d) => (b += d)).on('end', () => ok(b)).on('error', no);
  });
const send = (res, code, obj) => {
  const b = JSON.stringify(obj);
  res.writeHead(code, { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(b) });
  res.end(b);
};

http
  .createServer(async (req, res) => {
    if (req.headers.authorization !== token) return send(res, 401, { status: '401' });
    const url = new URL(req.url, 'http://x');
    const m = url.pathname.match(/\/Users\/([0-9a-f-]{36})$/);
    try {
      if (req.method === 'PATCH' && m) {
        const body = JSON.parse(await text(req));
        const active = body.Operations?.[0]?.value?.active ?? body.Operations?.[0]?.value;
        const { rows } = await pool.query(`update limit_users set body = jsonb_set(body, '{active}', $2::jsonb) where id = $1 returning id, body`, [m[1], JSON.stringify(active === true || active === 'True' || active === 'true')]);
        return rows.length ? send(res, 200, user(rows[0])) : send(res, 404, { status: '404' });
      }
      send(res, 404, { status: '404' });
    } catch (e) {
      send(res, 500, { status: '500', detail: String(e) });
    }
  })
  .listen(Number(process.env.PORT ?? 18891), '127.0.0.1', () => console.log(`limit write peer on 127.0.0.1:${process.env.PORT ?? 18891}`));
