// How the V8 heap caps of /etc/init.d/modemflow bound the daemon's RSS:
// retains N MB of flow-record-like objects while churning short-lived ones
// (as each poll does), then prints RSS and heap. Run it with and without
// the caps, e.g.
//   node scripts/ipk/node-heap-rss.mjs 8
//   node --max-old-space-size=64 --max-semi-space-size=1 scripts/ipk/node-heap-rss.mjs 8
const retainMb = Number(process.argv[2] ?? 0);
const keep = [];
for (let bytes = 0; bytes < retainMb * 1024 * 1024; bytes += 120) {
  keep.push({ src: `192.168.1.${keep.length % 250}`, dport: keep.length & 0xffff, rxBytes: keep.length * 3, txBytes: 1, cls: 'I' });
}
let sink = 0;
const churn = setInterval(() => {
  for (let i = 0; i < 20000; i++) sink += JSON.stringify({ i, s: `x${i}` }).length;
}, 10);
setTimeout(() => {
  clearInterval(churn);
  const m = process.memoryUsage();
  const mb = (n) => (n / 1048576).toFixed(1);
  console.log(`retained=${retainMb}MB objects=${keep.length} rss=${mb(m.rss)}MB heapUsed=${mb(m.heapUsed)}MB heapTotal=${mb(m.heapTotal)}MB node=${process.version} ${process.arch} (${sink > 0 ? 'ran' : 'idle'})`);
}, 3000);
