/// The browser page's HTML and script (see ``BrowserEndpoints``).
enum BrowserPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>TransportBench in the browser</title>
        <style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style>
        </head>
        <body>
        <h1>TransportBench in the browser</h1>
        <p id="status">starting…</p>
        <table><thead><tr><th>transport</th><th>received</th><th>first</th><th>last</th><th>missing</th><th>duplicates</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr></thead><tbody id="rows"></tbody></table>
        <script>
        "use strict";
        const params = new URLSearchParams(location.search);
        const duration = Number(params.get("duration") || 3) * 1000;
        const interval = Number(params.get("interval") || 0.5) * 1000;
        const status = text => { document.getElementById("status").textContent = text; };
        // With bench serve --auth jwt the page's URL carries the token: fetch sends it as a
        // header, EventSource and WebSocket (which cannot set headers) in the query.
        const token = params.get("access_token");
        const auth = token ? {headers: {Authorization: `Bearer ${token}`}} : {};
        const tokenQuery = token ? `&access_token=${encodeURIComponent(token)}` : "";

        // The server's monotonic clock in the page's terms: offset from the fastest round trip.
        async function clockOffset() {
          let best = null;
          for (let i = 0; i < 8; i++) {
            const t0 = performance.now();
            const reply = await (await fetch("/browser/clock", {cache: "no-store"})).json();
            const t1 = performance.now();
            if (best === null || t1 - t0 < best.rtt) best = {rtt: t1 - t0, offset: reply.now - (t0 + t1) / 2 * 1e6, last: reply.last};
          }
          return best;
        }

        // One transport's ledger: distinct sequences, duplicates, latencies.
        function ledger(clock) {
          const seen = new Set(); const latencies = []; let duplicates = 0;
          return {
            record(event) {
              if (seen.has(event.sequence)) { duplicates++; return; }
              seen.add(event.sequence);
              latencies.push((performance.now() * 1e6 + clock.offset - event.publishedAt) / 1e6);
            },
            summary(transport) {
              const sequences = [...seen].sort((a, b) => a - b);
              const first = sequences[0] || 0, last = sequences[sequences.length - 1] || 0;
              const missing = [];
              for (let s = first; s <= last && missing.length < 100; s++) if (!seen.has(s)) missing.push(s);
              latencies.sort((a, b) => a - b);
              const at = p => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : 0;
              return {transport, userAgent: navigator.userAgent, received: sequences.length, first, last, missing, duplicates,
                      latencyP50Milliseconds: at(0.5), latencyP99Milliseconds: at(0.99),
                      latencyMaxMilliseconds: latencies[latencies.length - 1] || 0, clockErrorMilliseconds: clock.rtt / 2};
            },
          };
        }

        const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

        async function shortPolling(after, record, until) {
          while (performance.now() < until) {
            const events = await (await fetch(`/poll?after=${after}`, {cache: "no-store", ...auth})).json();
            for (const event of events) { record(event); after = Math.max(after, event.sequence); }
            await sleep(interval);
          }
        }

        async function longPolling(after, record, until) {
          while (performance.now() < until) {
            const wait = Math.max(1, Math.round(until - performance.now()));
            const events = await (await fetch(`/long-poll?after=${after}&timeout=${wait}`, {cache: "no-store", ...auth})).json();
            for (const event of events) { record(event); after = Math.max(after, event.sequence); }
          }
        }

        function serverSentEvents(after, record, until) {
          return new Promise((resolve, reject) => {
            const source = new EventSource(`/sse?after=${after}${tokenQuery}`);
            source.onmessage = message => record(JSON.parse(message.data));
            source.onerror = () => { if (source.readyState === EventSource.CLOSED) reject(new Error("EventSource closed")); };
            setTimeout(() => { source.close(); resolve(); }, until - performance.now());
          });
        }

        function webSocket(after, record, until) {
          return new Promise((resolve, reject) => {
            // wss:// on a page served over HTTPS (bench serve --tls): a secure page may not open ws://.
            const scheme = location.protocol === "https:" ? "wss" : "ws";
            const socket = new WebSocket(`${scheme}://${location.host}/ws?mode=push&after=${after}${tokenQuery}`);
            socket.onmessage = message => { if (!message.data.startsWith("gap ")) record(JSON.parse(message.data)); };
            socket.onerror = () => reject(new Error("WebSocket error"));
            setTimeout(() => { socket.close(1000); resolve(); }, until - performance.now());
          });
        }

        // HTTP streaming: one fetch whose body a ReadableStream reads as NDJSON lines (empty
        // lines are heartbeats, {"gap":…} a notice), aborted when the time is up.
        async function httpStreaming(after, record, until) {
          const abort = new AbortController();
          const timer = setTimeout(() => abort.abort(), until - performance.now());
          const response = await fetch(`/stream?after=${after}`, {cache: "no-store", signal: abort.signal, ...auth});
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let pending = "";
          try {
            for (;;) {
              const {value, done} = await reader.read();
              if (done) break;
              const lines = (pending + value).split("\n");
              pending = lines.pop();
              for (const line of lines) if (line && !line.startsWith('{"gap":')) record(JSON.parse(line));
            }
          } catch (error) {
            if (error.name !== "AbortError") throw error;
          } finally {
            clearTimeout(timer);
          }
        }

        const transports = [["short-polling", shortPolling], ["long-polling", longPolling], ["sse", serverSentEvents], ["websocket", webSocket],
                            ["http-streaming", httpStreaming]];

        async function main() {
          for (const [name, run] of transports) {
            status(`running ${name} for ${duration / 1000} s…`);
            const clock = await clockOffset();
            const book = ledger(clock);
            await run(clock.last, event => book.record(event), performance.now() + duration);
            const result = book.summary(name);
            const row = document.createElement("tr");
            row.innerHTML = `<th>${name}</th>` + [result.received, result.first, result.last, result.missing.length, result.duplicates,
              result.latencyP50Milliseconds.toFixed(2), result.latencyP99Milliseconds.toFixed(2), result.latencyMaxMilliseconds.toFixed(2)]
              .map(value => `<td>${value}</td>`).join("");
            document.getElementById("rows").appendChild(row);
            await fetch("/browser/results", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(result)});
          }
          status("done");
        }
        main().catch(error => status(`failed: ${error}`));
        </script>
        </body>
        </html>
        """#
}
