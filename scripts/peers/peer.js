// Node's `ws` (Debian package node-ws) as the peer: an echo or push server, or a client that
// times echo round trips or counts pushed messages. Prints one line: "port N" for servers,
// a JSON object for clients.
//   node peer.js server echo
//   node peer.js server push MESSAGES BYTES
//   node peer.js client echo URL MESSAGES BYTES
//   node peer.js client push URL MESSAGES
const { WebSocketServer, WebSocket } = require('ws');
const [role, mode, ...rest] = process.argv.slice(2);

if (role === 'server') {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  server.on('listening', () => console.log(`port ${server.address().port}`));
  server.on('connection', (socket) => {
    if (mode === 'echo') {
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    } else {
      const [messages, bytes] = rest.map(Number);
      const message = Buffer.alloc(bytes, 0x42);
      let sent = 0;
      // Send in slices, yielding to the event loop so the socket drains as it would in a server.
      const pump = () => {
        for (let i = 0; i < 1000 && sent < messages; i++, sent++) socket.send(message, { binary: true });
        if (sent < messages) setImmediate(pump);
      };
      pump();
    }
  });
} else {
  const [url, messagesText, bytesText] = rest;
  const messages = Number(messagesText);
  const socket = new WebSocket(url, { perMessageDeflate: false });
  socket.binaryType = 'nodebuffer';
  if (mode === 'echo') {
    const message = Buffer.alloc(Number(bytesText), 0x42);
    const samples = [];
    let index = 0, sentAt = 0n, start = 0n;
    const send = () => { sentAt = process.hrtime.bigint(); socket.send(message, { binary: true }); };
    socket.on('open', send);
    socket.on('message', () => {
      const now = process.hrtime.bigint();
      if (index === messages) start = sentAt;
      if (index >= messages) samples.push(Number(now - sentAt));
      index += 1;
      if (index < 2 * messages) return send();
      samples.sort((a, b) => a - b);
      const seconds = Number(now - start) / 1e9;
      console.log(JSON.stringify({ p50_us: samples[Math.floor(samples.length / 2)] / 1e3, p99_us: samples[Math.floor(samples.length * 0.99)] / 1e3, per_second: messages / seconds }));
      socket.close(1000);
    });
  } else {
    let received = 0, start = 0n;
    socket.on('message', () => {
      if (received === 0) start = process.hrtime.bigint();
      received += 1;
      if (received === messages) {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        console.log(JSON.stringify({ per_second: (messages - 1) / seconds }));
        socket.close(1000);
      }
    });
  }
  socket.on('error', (error) => { console.error(String(error)); process.exit(1); });
}
