/// The names a run records for its transport (`RunResult.transportName`), as `bench`'s
/// registry gives them, for rows these tests build by hand.
let displayNames = ["short-polling": "Short polling", "long-polling": "Long polling", "sse": "SSE", "websocket": "WebSocket", "grpc": "gRPC"]
