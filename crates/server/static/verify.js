// Re-checks the inclusion proof shown on a log entry page in the browser, with WebCrypto, so the
// reader need not trust the server's own "verified" line (RFC 9162 section 2.1.3.2).
(async function () {
  const section = document.getElementById("proof");
  const status = document.getElementById("browser-verify");
  if (!section || !status) return;
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const sha256 = async (...parts) => {
    const total = parts.reduce((n, p) => n + p.length, 0);
    const buf = new Uint8Array(total);
    let off = 0;
    for (const p of parts) { buf.set(p, off); off += p.length; }
    return new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
  };
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  try {
    let index = BigInt(section.dataset.index);
    const size = BigInt(section.dataset.treeSize);
    const proof = section.dataset.proof ? section.dataset.proof.split(",").map(b64) : [];
    const root = b64(section.dataset.root);
    let fn = index, sn = size - 1n;
    let r = await sha256(new Uint8Array([0]), b64(section.dataset.leaf));
    for (const p of proof) {
      if (sn === 0n) throw new Error("proof is longer than the tree allows");
      if ((fn & 1n) === 1n || fn === sn) {
        r = await sha256(new Uint8Array([1]), p, r);
        if ((fn & 1n) === 0n) { while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; } }
      } else {
        r = await sha256(new Uint8Array([1]), r, p);
      }
      fn >>= 1n; sn >>= 1n;
    }
    if (sn !== 0n) throw new Error("proof is shorter than the tree requires");
    if (!equal(r, root)) throw new Error("the computed root differs from the checkpoint's root");
    status.textContent = "✔ Verified in your browser: the leaf hashes up to the checkpoint's root.";
    status.className = "ok";
  } catch (e) {
    status.textContent = "✘ Browser verification failed: " + e.message;
    status.className = "error";
  }
})();
