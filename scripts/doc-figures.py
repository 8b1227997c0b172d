#!/usr/bin/env python3
"""Writes the figures that README.md and docs/*.md quote from the committed Results/.

Every table and number the docs give about measurements sits in a generated block:

    <!-- figures:NAME -->
    …written by the generator NAME from Results/…
    <!-- /figures:NAME -->

    python3 scripts/doc-figures.py              rewrites every block in place
    python3 scripts/doc-figures.py --check      changes nothing; exit 1 naming each block that
                                                differs from what Results/ gives, 0 when all agree
    python3 scripts/doc-figures.py --root DIR   works on another checkout (README.md, docs/, Results/)

An unknown block name, a block left open, or a Results file a block needs and the checkout
lacks is an error (exit 2) with the file and the block. Python 3 standard library only.
"""

import argparse
import difflib
import json
import math
import re
import sys
from pathlib import Path

# Command-line names and the names tables use; results.json rows written after the transport
# registry carry their own (`transportName`), which wins.
DISPLAY_NAMES = {
    "short-polling": "Short polling",
    "long-polling": "Long polling",
    "sse": "SSE",
    "websocket": "WebSocket",
    "grpc": "gRPC",
}
STREAMS = ("sse", "websocket", "grpc")


class DocError(Exception):
    """A problem the user must fix: one sentence, printed without a traceback."""


# ---------------------------------------------------------------------------------------------
# Reading Results/


class Results:
    """The committed Results/ of one checkout, each file read once when a block first needs it."""

    def __init__(self, root):
        self.root = root
        self.cache = {}

    def json(self, relative):
        if relative not in self.cache:
            path = self.root / relative
            if not path.is_file():
                raise DocError(f"{relative} does not exist (scripts/regenerate-results.sh writes it)")
            try:
                self.cache[relative] = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise DocError(f"{relative} is not valid JSON: {error}") from None
        return self.cache[relative]

    def rows(self, relative):
        """The `results` rows of a results.json."""
        return self.json(relative)["results"]

    def sweep(self, name):
        """A sweep's axis unit, its scenario and its points as (value, row) pairs."""
        sweep = self.json(f"Results/sweeps/{name}/results.json")["sweep"]
        return sweep["unit"], sweep["scenario"], [(point["value"], point["result"]) for point in sweep["points"]]

    def claims(self):
        return {claim["id"]: claim for claim in self.json("Results/claims/claims.json")["claims"]}


def field(row, name, source):
    if name not in row:
        raise DocError(f"{source} has a row without '{name}'")
    return row[name]


def display(row):
    return row.get("transportName") or DISPLAY_NAMES.get(row["transport"], row["transport"])


def prose(row):
    """The name inside a sentence: `short polling`, but `SSE` and `WebSocket`."""
    return prose_name(display(row))


def prose_name(name):
    return name.lower() if name.endswith("polling") else name


def variant(row):
    return f"{row['variant']}, HTTP/{row['httpVersion']}" + ("" if row["encoding"] == "json" else f", {row['encoding']}")


def by_transport(rows, source):
    """Rows keyed by command-line transport name; the rows must have one per transport."""
    keyed = {}
    for row in rows:
        if row["transport"] in keyed:
            raise DocError(f"{source} has two rows for {row['transport']}; this block expects one each")
        keyed[row["transport"]] = row
    return keyed


def need(keyed, transport, source):
    if transport not in keyed:
        raise DocError(f"{source} has no row for {transport}")
    return keyed[transport]


# ---------------------------------------------------------------------------------------------
# Numbers as the docs write them


def sig(value, digits=3):
    """`digits` significant digits, no exponent, no trailing zeros (2517, 420, 1.46, 0.0945)."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else "–"
    places = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def plural(count, noun):
    return f"{sig(count)} {noun}" + ("" if count == 1 else "s")


def fixed(value, places):
    return f"{value:.{places}f}"


def grouped(value):
    return f"{round(value):,}"


def ms(nanoseconds):
    """Milliseconds as report.md writes them: 3 decimals below 10 ms, 1 above."""
    value = nanoseconds / 1e6
    return fixed(value, 3) if value < 10 else fixed(value, 1)


def percent(ratio, places=1):
    return f"{fixed(ratio * 100, places)} %"


def span(values, unit="", formatter=sig):
    low, high = formatter(min(values)), formatter(max(values))
    return (low if low == high else f"{low}–{high}") + unit


def table(header, rows, right):
    """A Markdown table; columns whose index is in `right` are right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---:" if i in right else "---" for i in range(len(header))) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def listing(items):
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def sentence(clause):
    """A generator that writes `clause` as a sentence of its own."""
    def generate(results):
        text = clause(results)
        return text[0].upper() + text[1:] + "."
    return generate


# ---------------------------------------------------------------------------------------------
# Generators: each returns the Markdown between its markers.

DEFAULT = "Results/default/results.json"
LINK = "Results/link/results.json"
SCALE = "Results/scale/scale.json"
BASELINE = "Results/baseline/baseline.json"
PAYLOADS = "Results/payloads/payloads.json"
CLAIMS = "Results/claims/claims.json"
COMPRESSION = ("chat", "document")
SCALE_COMPRESSION = ("Results/scale-compression/takeover/scale.json", "Results/scale-compression/no-takeover/scale.json")
SECURITY = tuple(f"Results/security/{alg}/results.json" for alg in ("hs256", "es256"))
TLS_SUITE = "Results/tls/suite/results.json"
TLS_HANDSHAKES = tuple(
    f"Results/tls/handshakes/tls{name}/results.json" for name in ("1.3-p256", "1.3-rsa2048", "1.3-p256-x25519", "1.2-p256", "1.2-rsa2048"))
TLS_LINK = tuple(f"Results/tls/link/{name}/results.json" for name in ("cleartext", "tls1.3", "tls1.2"))
LATENCY = tuple(f"Results/latency/clients-{clients}/results.json" for clients in (1, 10))
SCALE_OUT_LAYERS = "Results/scale-out/layers/results.json"
SCALE_OUT_KILLED = "Results/scale-out/node-killed/results.json"
LAYER_RUNS = tuple((encoding, headers) for encoding in ("json", "protobuf") for headers in ("minimal", "browser"))
LAYERS = {run: f"Results/layers/{run[0]}-{run[1]}/results.json" for run in LAYER_RUNS}
LAYERS_ACK = "Results/layers/stomp-ack/results.json"
# Each layered transport and the row it is set beside: its carrier, or for NDJSON streaming the
# stream it replaces.
LAYERED = {"http-streaming": "sse", "stomp": "websocket", "grpc-web": "grpc", "grpc-web-text": "grpc"}
ALL_DOCUMENTS = (
    DEFAULT, LINK, SCALE, BASELINE, PAYLOADS, CLAIMS, *(f"Results/compression/{c}/results.json" for c in COMPRESSION), *SCALE_COMPRESSION,
    TLS_SUITE, *TLS_HANDSHAKES, *TLS_LINK, *SECURITY, *LATENCY, SCALE_OUT_LAYERS, SCALE_OUT_KILLED, *LAYERS.values(), LAYERS_ACK,
    "Results/sweeps/rate/results.json",
    "Results/sweeps/payload-bytes/results.json", "Results/sweeps/delay/results.json", "Results/remote/merged/results.json",
)


def default_scenario(results):
    document = results.json(DEFAULT)
    scenario = document["scenario"]
    return (
        f"The committed run ([report](Results/default/report.md)) has {len(document['results'])} rows on one workload: "
        f"{scenario['clients']} clients, {sig(scenario['eventsPerSecond'])} events/s of {scenario['payloadBytes']}-byte "
        f"{scenario['encoding'].upper()} payloads for {sig(scenario['durationSeconds'])} s, short polling every "
        f"{sig(scenario['pollIntervalSeconds'])} s, with the [`{profile_name(scenario)}` header profile](docs/headers.md) on every request and response."
    )


def profile_name(scenario):
    """The header profile a scenario ran with (`minimal` in documents written before profiles)."""
    profile = scenario.get("headerProfile")
    return profile.get("name", "minimal") if isinstance(profile, dict) else (profile or "minimal")


def default_table(results):
    rows = []
    for row in results.rows(DEFAULT):
        rows.append([
            display(row), variant(row), f"{row['eventsDelivered']} / {row['deliveriesExpected']}", row["requests"], row["connections"],
            fixed(row["bytesPerDeliveredEvent"], 1), percent(row["overheadRatio"]), ms(row["latencyP50Nanoseconds"]), ms(row["latencyP99Nanoseconds"]),
        ])
    header = ["Transport", "Variant, HTTP", "Delivered / expected", "Requests", "TCP conns", "Wire B / event", "Overhead", "p50 (ms)", "p99 (ms)"]
    return table(header, rows, right={2, 3, 4, 5, 6, 7, 8})


def rate_facts(results):
    """What the rate sweep shows, as numbers the README and findings both quote."""
    unit, scenario, points = results.sweep("rate")
    source = "Results/sweeps/rate/results.json"
    values = sorted({value for value, _ in points})
    at = {value: by_transport([row for v, row in points if v == value], source) for value in values}
    interval = scenario["pollIntervalSeconds"]

    def bpe(value, transport):
        return need(at[value], transport, source)["bytesPerDeliveredEvent"]

    def from_on(cheaper, dearer):
        """The lowest swept value from which `cheaper` costs fewer bytes per event at every higher value."""
        crossing = None
        for value in reversed(values):
            if bpe(value, cheaper) < bpe(value, dearer):
                crossing = value
            else:
                break
        return crossing

    low, high = values[0], values[-1]
    short_low = need(at[low], "short-polling", source)
    facts = {
        "unit": unit, "interval": interval, "low": low, "high": high, "clients": scenario["clients"],
        "short_low": bpe(low, "short-polling"), "long_low": bpe(low, "long-polling"),
        "streams_low": [bpe(low, t) for t in STREAMS if t in at[low]],
        "empty_per_event_low": short_low["emptyResponses"] / short_low["eventsDelivered"],
        "short_beats_long": from_on("short-polling", "long-polling"),
        "short_beats_sse": from_on("short-polling", "sse"),
        "short_high": bpe(high, "short-polling"), "websocket_high": bpe(high, "websocket"),
    }
    if facts["short_beats_long"] is None:
        raise DocError(f"{source}: short-polling never costs fewer bytes per event than long-polling, which the docs say it does")
    facts["short_beats_long_bytes"] = (bpe(facts["short_beats_long"], "short-polling"), bpe(facts["short_beats_long"], "long-polling"))
    # Whether short polling's batches ever undercut SSE depends on the heads: say which way it went.
    facts["sse_high"] = bpe(high, "sse")
    if facts["short_beats_sse"] is not None:
        facts["short_beats_sse_bytes"] = (bpe(facts["short_beats_sse"], "short-polling"), bpe(facts["short_beats_sse"], "sse"))
    facts["headers"] = profile_name(scenario)
    # Long polling once each event costs it about one request: one request and one response head per event.
    one_request = [v for v in values if need(at[v], "long-polling", source)["requests"] <= 1.1 * need(at[v], "long-polling", source)["eventsDelivered"]]
    if not one_request:
        raise DocError(f"{source}: long polling never makes about one request per event")
    facts["long_from"] = one_request[0]
    facts["long_range"] = [bpe(v, "long-polling") for v in values if v >= one_request[0]]
    return facts


def sse_crossing(f):
    """Where short polling's batches undercut SSE per event, or that they never do in the sweep."""
    if f["short_beats_sse"] is None:
        return (f"With {f['headers']} heads short polling never gets cheaper per event than SSE: at {sig(f['high'])} {f['unit']} it still moves "
                f"{sig(f['short_high'])} B per event against SSE's {sig(f['sse_high'])}")
    return (f"From {sig(f['short_beats_sse'])} {f['unit']} on, short polling's batches make it cheaper per event than SSE "
            f"({sig(f['short_beats_sse_bytes'][0])} against {sig(f['short_beats_sse_bytes'][1])} B)")


def rate_sweep(results):
    f = rate_facts(results)
    crossing = f["short_beats_long"]
    lines = [
        f"At {sig(f['low'])} {f['unit']} short polling moves {sig(f['short_low'])} B per delivered event "
        f"({sig(f['empty_per_event_low'])} empty polls each), long polling {sig(f['long_low'])}, the streams {span(f['streams_low'])}.",
        f"The short-polling and long-polling lines cross near one event per poll interval: from {sig(crossing)} {f['unit']} on "
        f"({plural(crossing * f['interval'], 'event')} per {sig(f['interval'])} s poll) short polling is the cheaper, "
        f"{sig(f['short_beats_long_bytes'][0])} against {sig(f['short_beats_long_bytes'][1])} B at the crossing.",
        sse_crossing(f) + f"; at {sig(f['high'])} {f['unit']} it is "
        f"{sig(abs(f['short_high'] - f['websocket_high']), 2)} B {'above' if f['short_high'] > f['websocket_high'] else 'below'} WebSocket's.",
        f"Long polling stays at {span(f['long_range'])} B per event from {sig(f['long_from'])} {f['unit']} up: "
        "one request and one response head per event.",
    ]
    return "\n".join(f"- {line}" for line in lines)


def payload_facts(results):
    unit, _, points = results.sweep("payload-bytes")
    source = "Results/sweeps/payload-bytes/results.json"
    values = sorted({value for value, _ in points})
    small = by_transport([row for v, row in points if v == values[0]], source)
    large = by_transport([row for v, row in points if v == values[-1]], source)
    return values[0], values[-1], small, large


def payload_sweep(results):
    smallest, largest, small, large = payload_facts(results)
    ranked = sorted(small.values(), key=lambda row: -row["overheadRatio"])
    others = [row for t, row in large.items() if t != "long-polling"]
    long_large = need(large, "long-polling", "Results/sweeps/payload-bytes/results.json")
    return (
        f"With {smallest}-byte payloads overhead is "
        + listing(f"{percent(row['overheadRatio'], 0)} of {prose(row)}'s" + (" bytes" if index == 0 else "") for index, row in enumerate(ranked))
        + f"; with {largest}-byte payloads every transport but long polling ({percent(long_large['overheadRatio'])}) is within "
        + f"{percent(max(row['overheadRatio'] for row in others))}."
    )


def claims_counts(results):
    claims = results.claims()
    verdicts = [claim["verdict"] for claim in claims.values()]
    parts = [f"{verdicts.count(v)} {word}" for v, word in (("confirmed", "confirmed"), ("refuted", "refuted"), ("depends", "depend on the condition"), ("unmeasurable", "could not be measured")) if verdicts.count(v)]
    return len(claims), listing(parts)


def claim(results, identifier):
    claims = results.claims()
    if identifier not in claims:
        raise DocError(f"Results/claims/claims.json has no claim '{identifier}'")
    return claims[identifier]


def figure(outcome, name, identifier):
    for item in outcome["figures"]:
        if item["name"] == name:
            return item
    raise DocError(f"Results/claims/claims.json: claim '{identifier}' has no figure '{name}' in case '{outcome.get('condition')}'")


def claims_table(results):
    rows = []
    for identifier, verdict in results.claims().items():
        anchor = f"Results/claims/report.md#{anchor_of(identifier + ': ' + verdict['statement'])}"
        summary = verdict["summary"][len(verdict["verdict"]):].lstrip(": ").strip()
        rows.append([f"[{identifier}](../{anchor})", f"**{verdict['verdict']}**" + (f": {cell(summary)}" if summary else "")])
    return table(["Claim file", "Verdict of the committed run"], rows, right=set())


def anchor_of(heading):
    """GitHub's anchor for a heading (the one ClaimsReport links to)."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -")
    return kept.replace(" ", "-")


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def subject_of(expectation):
    """The measured side of an expectation as its file writes it: `saving` of `saving >= 99%`."""
    match = re.match(r"(.*?)\s*(<=|>=|==|!=|<|>|\sbetween\s)", expectation)
    return (match.group(1) if match else expectation).strip()


def claims_digest(results):
    """The claims' verdicts with the figures that decide them, one bullet each."""
    bullets = []
    for identifier, verdict in results.claims().items():
        cases = "; ".join(
            ((outcome["condition"] + ": ") if outcome.get("condition") else "")
            + ", ".join(f"{subject_of(check['expectation'])} {check['shown']} (claimed {check['claimed']})" for check in outcome["checks"])
            for outcome in verdict["cases"]
        )
        bullets.append(f"- **{identifier}** ({verdict['verdict']}): {verdict['statement']} — {cases}.")
    total, counts = claims_counts(results)
    return f"{total} claims: {counts}.\n\n" + "\n".join(bullets)


def grpc_claim(results):
    """Claim 07: gRPC's overhead per request against REST's, over HTTP/1.1 and over HTTP/2."""
    verdict = claim(results, "07-grpc-vs-rest")
    shares = [(outcome["condition"], figure(outcome, "grpc_versus_rest", "07-grpc-vs-rest")) for outcome in verdict["cases"]]
    text = "gRPC's overhead per request (its unary poll, protobuf) is " + listing(
        f"{item['shown']}" + (" of REST/JSON short polling's" if index == 0 else "") + f" when {condition}" for index, (condition, item) in enumerate(shares))
    if any(item["value"] < 1 for _, item in shares) and any(item["value"] >= 1 for _, item in shares):
        text += ": the saving comes from HTTP/2's header compression (HPACK), not from protobuf"
    return text + "."


def link_facts(results):
    rows = by_transport(results.rows(LINK), LINK)
    delay = results.json(LINK)["scenario"].get("link", {}).get("delaySeconds")
    if not delay:
        raise DocError(f"{LINK} has no emulated link delay in its scenario")
    return delay * 1e3, rows


def link_table(results):
    delay, rows = link_facts(results)
    body = [[display(row), variant(row), ms(row["latencyP50Nanoseconds"]), ms(row["modelLatencyP50Nanoseconds"]), ms(row["latencyP99Nanoseconds"]), row["latencyModel"]]
            for row in rows.values()]
    return f"The default workload behind a {sig(delay)} ms one-way link:\n\n" + table(
        ["Transport", "Variant, HTTP", "p50 (ms)", "Model p50 (ms)", "p99 (ms)", "Model"], body, right={2, 3, 4})


def link_summary(results):
    delay, rows = link_facts(results)
    streams = [rows[t] for t in STREAMS if t in rows]
    short, long = need(rows, "short-polling", LINK), need(rows, "long-polling", LINK)
    sse = need(rows, "sse", LINK)
    excess = [(row["latencyP50Nanoseconds"] - row["modelLatencyP50Nanoseconds"]) / 1e6 for row in streams]
    return (
        f"behind a {sig(delay)} ms one-way link the streams ({listing(display(r) for r in streams)}) deliver at p50 in the delay plus "
        f"{span(excess, ' ms', lambda v: fixed(v, 1))}; short polling in half its interval plus the delay ({ms(short['latencyP50Nanoseconds'])} ms, "
        f"model {ms(short['modelLatencyP50Nanoseconds'])}); long polling pays a second one-way delay on most events "
        f"({ms(long['latencyP50Nanoseconds'])} ms against {ms(sse['latencyP50Nanoseconds'])} for SSE), because each response must travel back "
        "and the next poll forward before the server can answer again"
    )


def delay_sweep(results):
    unit, scenario, points = results.sweep("delay")
    source = "Results/sweeps/delay/results.json"
    values = sorted({value for value, _ in points})
    at = {value: by_transport([row for v, row in points if v == value], source) for value in values}
    transports = list(at[values[0]].keys())
    header = [f"Delay ({unit})"] + [display(at[values[0]][t]) for t in transports]
    body = [[sig(value)] + [f"{ms(at[value][t]['latencyP50Nanoseconds'])} ({ms(at[value][t]['modelLatencyP50Nanoseconds'])})" for t in transports] for value in values]
    return (
        f"p50 latency in ms, with the model's p50 in parentheses ({scenario['clients']} clients, {sig(scenario['eventsPerSecond'])} events/s, "
        f"short polling every {sig(scenario['pollIntervalSeconds'])} s):\n\n" + table(header, body, right=set(range(len(header))))
    )


def scale_rows(results):
    document = results.json(SCALE)
    rows = []
    for row in document["rows"]:
        connections = field(row, "connections", SCALE)
        deliveries = field(row, "deliveries", SCALE)
        rows.append({
            "row": row, "name": prose_name(DISPLAY_NAMES.get(row["transport"], row["transport"])),
            "title": DISPLAY_NAMES.get(row["transport"], row["transport"]),
            "kib_per_connection": (row["residentBytesConnected"] - row["residentBytesIdle"]) / connections / 1024,
            "per_second": deliveries / row["fanOutSeconds"],
            "cpu_us": (row["serverUserCPUSeconds"] + row["serverSystemCPUSeconds"]) / deliveries * 1e6,
        })
    return rows


def scale_table(results):
    body = [[
        s["title"], s["row"]["connections"], f"{s['row']['deliveries']} / {s['row']['deliveriesExpected']}", fixed(s["kib_per_connection"], 1),
        grouped(s["per_second"]), fixed(s["cpu_us"], 1), ms(s["row"]["latencyP50Nanoseconds"]), ms(s["row"]["latencyP99Nanoseconds"]),
    ] for s in scale_rows(results)]
    return table(["Transport", "Connections", "Delivered / expected", "Server RSS / connection (KiB)", "Deliveries / s", "Server CPU / delivery (µs)", "p50 (ms)", "p99 (ms)"],
                 body, right=set(range(1, 8)))


def scale_summary(results):
    rows = scale_rows(results)
    complete = all(s["row"]["deliveries"] == s["row"]["deliveriesExpected"] for s in rows)
    connections = sorted({s["row"]["connections"] for s in rows})
    events = sorted({s["row"]["events"] for s in rows})
    by_memory = sorted(rows, key=lambda s: s["kib_per_connection"])
    by_speed = sorted(rows, key=lambda s: -s["per_second"])
    return (
        f"{'every' if complete else 'not every'} one of {listing(map(str, events))} events reached every one of "
        f"{listing(grouped(c) for c in connections)} connections; per idle connection the server holds "
        + listing(f"{fixed(s['kib_per_connection'], 1)} KiB for {s['name']}" for s in by_memory)
        + "; the broadcast ran at "
        + listing(f"{grouped(s['per_second'])} deliveries/s over {s['name']} ({fixed(s['cpu_us'], 1)} µs of server CPU each)" for s in by_speed)
    )


def scale_brief(results):
    """The scale run in one clause: completeness, memory per connection, the broadcast's pace."""
    rows = scale_rows(results)
    complete = all(s["row"]["deliveries"] == s["row"]["deliveriesExpected"] for s in rows)
    by_memory = sorted(rows, key=lambda s: s["kib_per_connection"])
    by_speed = sorted(rows, key=lambda s: -s["per_second"])
    connections = listing(grouped(c) for c in sorted({s["row"]["connections"] for s in rows}))
    return (
        f"{'every' if complete else 'not every'} event reached every one of {connections} connections; per idle connection the server holds "
        f"{span([s['kib_per_connection'] for s in by_memory[:-1]], ' KiB', lambda v: fixed(v, 1))} for {listing(s['name'] for s in by_memory[:-1])} "
        f"and {fixed(by_memory[-1]['kib_per_connection'], 1)} KiB for {by_memory[-1]['name']}; the broadcast ran at "
        f"{grouped(by_speed[0]['per_second'])} deliveries/s over {by_speed[0]['name']} down to {grouped(by_speed[-1]['per_second'])} over {by_speed[-1]['name']}"
    )


def baseline_rows(results):
    document = results.json(BASELINE)
    return document, document["rows"]


def baseline_table(results):
    document, rows = baseline_rows(results)
    body = [[row["name"], fixed(row["p50Nanoseconds"] / 1e3, 1), fixed(row["p99Nanoseconds"] / 1e3, 1), grouped(row["roundTripsPerSecond"]),
             fixed(row["p50RatioToFloor"], 2) + "×"] for row in rows]
    return table(["Round trip", "p50 (µs)", "p99 (µs)", "Round trips / s", "p50 ÷ floor"], body, right={1, 2, 3, 4})


def baseline_summary(results):
    document, rows = baseline_rows(results)
    held = [row for row in rows if row.get("heldToTarget")]
    if len(held) != 1:
        raise DocError(f"{BASELINE} should hold one row to the target; it holds {len(held)}")
    others = [row for row in rows if row["p50RatioToFloor"] != 1 and not row.get("heldToTarget")]
    target = document["targetRatio"]
    ratio = held[0]["p50RatioToFloor"]
    return (
        f"the harness's WebSocket echo, driven from its event loop, answers at {fixed(ratio, 2)}× the raw-TCP floor's p50 "
        f"(target {sig(target)}×: {'met' if ratio <= target else 'not met'}); the other rows: "
        + "; ".join(f"{row['name']} {fixed(row['p50RatioToFloor'], 2)}×" for row in others)
    )


def payload_ranges(results):
    messages = results.json(PAYLOADS)["messages"]
    plain = [-m["protobufVersusJSONPercent"] for m in messages]
    gzip = [-m["gzipProtobufVersusGzipJSONPercent"] for m in messages]
    return len(messages), plain, gzip


def payloads_summary(results):
    count, plain, gzip = payload_ranges(results)
    return (f"protobuf is {span(plain, ' %', lambda v: fixed(v, 0))} smaller than compact JSON for the {count} sample messages, "
            f"{span(gzip, ' %', lambda v: fixed(v, 0))} once both are gzipped")


def compression_pairs(results, content):
    """(off, on) row pairs of Results/compression/CONTENT, in report order."""
    source = f"Results/compression/{content}/results.json"
    rows = results.rows(source)
    off = {}
    pairs = []
    for row in rows:
        key = (row["transport"], row["variant"], row["httpVersion"], row["encoding"])
        if field(row, "compression", source) == "off":
            off[key] = row
        elif key not in off:
            raise DocError(f"{source} has a compressed {row['transport']} row without its uncompressed twin before it")
        else:
            pairs.append((off[key], row))
    if not pairs:
        raise DocError(f"{source} has no compressed rows")
    return pairs


def per_event(row):
    return (row["bytesUp"] + row["bytesDown"]) / max(row["eventsDelivered"], 1)


def compression_table(results):
    body = []
    for content in COMPRESSION:
        for off, on in compression_pairs(results, content):
            def cpu(name):
                value = on.get(name)
                return "–" if value is None else fixed(value / 1e3, 2)
            ratio = on.get("compressionRatio")
            body.append([
                display(on), variant(on), f"{content}, {on['payloadBytes'] // max(on['eventsDelivered'], 1)} B", fixed(per_event(off), 1), fixed(per_event(on), 1),
                f"{fixed((per_event(on) / per_event(off) - 1) * 100, 1)} %", "–" if ratio is None else percent(ratio),
                on["serverCompression"]["messagesSentPlain"] if on.get("serverCompression") else 0, cpu("compressCPUNanosecondsPerEvent"),
                cpu("decompressCPUNanosecondsPerEvent"),
            ])
    return table(["Transport", "Variant, HTTP", "Content, body", "Wire B / event, off", "on", "Change", "Bodies compressed / plain", "Sent plain",
                  "Compress µs / event", "Decompress µs / event"], body, right=set(range(3, 10)))


def compression_summary(results):
    parts = []
    for content in COMPRESSION:
        pairs = compression_pairs(results, content)
        body = pairs[0][1]["payloadBytes"] // max(pairs[0][1]["eventsDelivered"], 1)
        changes = []
        for off, on in sorted(pairs, key=lambda pair: per_event(pair[1]) / per_event(pair[0])):
            change = (per_event(on) / per_event(off) - 1) * 100
            note = ""
            if not on.get("compressionPlainBytes"):
                note = " (every message under its threshold, sent plain)"
            changes.append(f"{prose(on)} {'+' if change > 0 else '−'}{fixed(abs(change), 1)} %{note}")
        parts.append(f"with {content} events ({body}-byte JSON bodies) compression changed the wire bytes per event by " + listing(changes))
    return "; ".join(parts)


def compression_memory(results):
    body = []
    for source in SCALE_COMPRESSION:
        for row in results.json(source)["rows"]:
            connections = field(row, "connections", source)
            after = row.get("residentBytesAfterFanOut")
            body.append([
                DISPLAY_NAMES.get(row["transport"], row["transport"]), row.get("compression", "off"), grouped(connections),
                fixed((row["residentBytesConnected"] - row["residentBytesIdle"]) / connections / 1024, 1),
                "–" if after is None else fixed((after - row["residentBytesIdle"]) / connections / 1024, 1),
            ])
    return table(["Transport", "Compression", "Connections", "Server RSS / connection, idle (KiB)", "After the events (KiB)"], body, right={2, 3, 4})


def payload_streams(results):
    streams = results.json(PAYLOADS).get("streams")
    if not streams:
        raise DocError(f"{PAYLOADS} has no 'streams' (bench payloads writes them)")
    body = []
    for stream in streams:
        def pair(carrier):
            json_bytes, protobuf_bytes = stream[f"json{carrier}Bytes"], stream[f"protobuf{carrier}Bytes"]
            return f"{fixed(json_bytes, 1)} / {fixed(protobuf_bytes, 1)} ({fixed((protobuf_bytes / json_bytes - 1) * 100, 0)} %)"
        body.append([stream["message"], stream["count"], pair("Plain"), pair("WebSocket"), pair("SSE"), pair("GRPC")])
    return table(["Stream", "Messages", "Plain: JSON / protobuf (B)", "WebSocket permessage-deflate", "SSE gzip stream", "gRPC gzip per message"],
                 body, right={1, 2, 3, 4, 5})


def remote_table(results):
    hosts = {name: by_transport(results.rows(f"Results/remote/{name}/results.json"), f"Results/remote/{name}/results.json") for name in ("host-a", "host-b", "merged")}
    body = []
    for transport, merged in hosts["merged"].items():
        a = need(hosts["host-a"], transport, "Results/remote/host-a/results.json")
        b = need(hosts["host-b"], transport, "Results/remote/host-b/results.json")
        body.append([
            display(merged), f"{a['clients']} + {b['clients']} = {merged['clients']}",
            f"{a['eventsDelivered']} + {b['eventsDelivered']} = {merged['eventsDelivered']} / {merged['deliveriesExpected']}",
            merged["requests"], merged["connections"], merged["bytesUp"], merged["bytesDown"],
            f"{ms(a['latencyP50Nanoseconds'])} / {ms(b['latencyP50Nanoseconds'])} / {ms(merged['latencyP50Nanoseconds'])}",
        ])
    clocks = sorted({row["clock"]["source"] for rows in hosts.values() for row in rows.values() if row.get("clock")})
    return table(["Transport", "Clients (a + b)", "Delivered (a + b) / expected", "Requests", "TCP conns", "Up (B)", "Down (B)", "p50 a / b / merged (ms)"],
                 body, right=set(range(1, 8))) + (f"\n\nClocks: {listing(clocks)}." if clocks else "")


def bandwidth_by_heads(conditions, savings):
    """Claim 01's saving per condition, each with its figure under every header profile (a case's
    condition reads `CONDITION — PROFILE`)."""
    grouped = {}
    for condition, saving in zip(conditions, savings):
        base, _, heads = condition.partition(" — ")
        grouped.setdefault(base, []).append(f"{saving} ({heads})" if heads else saving)
    return "; ".join(f"when {base}, {listing(figures)}" for base, figures in grouped.items())


def summary(results):
    """The README's short digest, one bullet per committed report."""
    f = rate_facts(results)
    smallest, largest, small, large = payload_facts(results)
    total, counts = claims_counts(results)
    bandwidth = claim(results, "01-bandwidth")
    savings = [figure(outcome, "saving", "01-bandwidth")["shown"] for outcome in bandwidth["cases"]]
    conditions = [outcome["condition"] for outcome in bandwidth["cases"]]
    ranked = sorted(small.values(), key=lambda row: -row["overheadRatio"])
    bullets = [
        f"**Which transport is cheapest depends on how often events come** ([rate sweep](Results/sweeps/rate/report.md)): at "
        f"{sig(f['low'])} {f['unit']} short polling moves {sig(f['short_low'])} B per event, long polling {sig(f['long_low'])}, the streams "
        f"{span(f['streams_low'])} ({f['headers']} heads); short polling undercuts long polling from {sig(f['short_beats_long'])} {f['unit']} and "
        + (f"SSE from {sig(f['short_beats_sse'])} {f['unit']}." if f["short_beats_sse"] is not None
           else f"never SSE ({sig(f['short_high'])} against {sig(f['sse_high'])} B at {sig(f['high'])} {f['unit']}).") + "",
        f"**Claims from the study notes** ([claims](Results/claims/report.md), [how they are judged](docs/claims.md)): {total} judged, {counts}. "
        f"WebSocket's \"99% less bandwidth\" than polling: " + bandwidth_by_heads(conditions, savings) + ".",
        f"**Overhead matters for small events** ([payload sweep](Results/sweeps/payload-bytes/report.md)): at {smallest} B it is "
        f"{percent(ranked[0]['overheadRatio'], 0)} of {prose(ranked[0])}'s bytes and {percent(ranked[-1]['overheadRatio'], 0)} of "
        f"{prose(ranked[-1])}'s; at {largest} B every transport but long polling is within "
        f"{percent(max(row['overheadRatio'] for t, row in large.items() if t != 'long-polling'))}.",
        f"**Round trips** ([link](Results/link/report.md), [delay sweep](Results/sweeps/delay/report.md)): {link_summary(results)}.",
        f"**At scale** ([scale](Results/scale/report.md)): {scale_brief(results)}.",
        f"**Against the floor** ([baseline](Results/baseline/report.md)): {baseline_summary(results)}.",
        f"**Protobuf against JSON** ([payloads](Results/payloads/report.md)): {payloads_summary(results)}.",
        f"**Compression** ([docs/compression.md](docs/compression.md)): {compression_summary(results)}.",
        f"**Scale-out** ([docs/scale-out.md](docs/scale-out.md), [layers](Results/scale-out/layers/report.md), [a node killed](Results/scale-out/node-killed/report.md)): {scale_out_summary(results)}.",
        f"**Layered transports** ([docs/transports/](docs/transports/README.md), [JSON, minimal heads](Results/layers/json-minimal/report.md)): "
        f"{layers_summary(results)}.",
    ]
    return "\n".join(f"- {bullet}" for bullet in bullets)


def memory_claim(results):
    """The idle-connection memory figures of the claims run (09-connection-memory)."""
    verdict = claim(results, "09-connection-memory")
    figures = verdict["cases"][0]["figures"]
    names = {"sse": "SSE", "websocket": "WebSocket", "long_polling": "long polling", "grpc": "a gRPC stream"}

    def name(item):
        key = item["name"].removesuffix("_per_connection")
        if key not in names:
            raise DocError(f"Results/claims/claims.json: claim '09-connection-memory' has a figure '{item['name']}' this block does not know")
        return names[key]
    probes = results.json(CLAIMS).get("memory", [])
    counts = listing(grouped(c) for c in sorted({probe["connections"] for probe in probes}))
    if not counts:
        raise DocError(f"{CLAIMS} has no memory probes")
    return (f"an idle connection holds {listing(item['shown'] + ' for ' + name(item) for item in figures)} "
            f"of a `bench serve` process's resident memory ({counts} idle connections each, `bench claims`)")


def heartbeat_claim(results):
    """Claim 08: what a WebSocket heartbeat costs an idle connection, against long polling's re-asking."""
    verdict = claim(results, "08-heartbeats")
    outcome = verdict["cases"][0]
    runs = [run for run in results.json(CLAIMS)["runs"] if run["label"] == "08-heartbeats beating"]
    if not runs or not runs[0]["scenario"].get("heartbeatIntervalSeconds"):
        raise DocError(f"{CLAIMS} has no run '08-heartbeats beating' with a heartbeat interval")
    interval = runs[0]["scenario"]["heartbeatIntervalSeconds"]
    return (f"a WebSocket heartbeat exchange measures {figure(outcome, 'per_heartbeat', '08-heartbeats')['shown']} on the wire (model: "
            f"{figure(outcome, 'model_per_heartbeat', '08-heartbeats')['shown']}, RFC 6455's 2-byte ping and 6-byte masked pong), "
            f"{figure(outcome, 'websocket_hour', '08-heartbeats')['shown']} per idle connection-hour at one every {sig(interval)} s, against "
            f"{figure(outcome, 'long_polling_hour', '08-heartbeats')['shown']} for long polling's re-asking")


def tls_row(results, source):
    """The one row of a single-transport TLS run."""
    rows = results.rows(source)
    if len(rows) != 1 or not rows[0].get("serverTLS"):
        raise DocError(f"{source} should hold one row measured over TLS")
    return rows[0]


def tls_handshakes(results):
    body = []
    for source in TLS_HANDSHAKES:
        row = tls_row(results, source)
        tls = row["serverTLS"]
        count = max(tls["handshakes"], 1)
        body.append([
            row["tls"], tls["handshakes"], fixed(tls["handshakeBytesIn"] / count, 0), fixed(tls["handshakeBytesOut"] / count, 0),
            fixed(row["tlsHandshakeBytesPerConnection"], 0), fixed(row["tlsRecordOverheadBytesPerRecord"], 1),
            fixed((tls["alertBytesIn"] + tls["alertBytesOut"]) / count, 0), fixed(row["bytesPerDeliveredEvent"], 1),
        ])
    return table(["TLS, certificate", "Handshakes", "Client → server (B)", "Server → client (B)", "Handshake / connection (B)",
                  "Overhead / record (B)", "Alerts / connection (B)", "Wire B / event"], body, right=set(range(1, 8)))


def tls_pairs(results):
    """(cleartext, TLS) row pairs: the default suite and the suite over TLS, row by row."""
    clear = {(r["transport"], r["variant"], r["httpVersion"]): r for r in results.rows(DEFAULT)}
    pairs = []
    for row in results.rows(TLS_SUITE):
        key = (row["transport"], row["variant"], row["httpVersion"])
        if key not in clear:
            raise DocError(f"{TLS_SUITE} has a {row['transport']} ({row['variant']}) row that {DEFAULT} lacks")
        pairs.append((clear[key], row))
    return pairs


def tls_suite(results):
    body = []
    for clear, tls in tls_pairs(results):
        layer = tls["tlsHandshakeBytes"] + tls["tlsRecordOverheadBytes"] + tls["tlsAlertBytes"]
        wire = tls["bytesUp"] + tls["bytesDown"]
        body.append([
            display(tls), variant(tls), tls["connections"], fixed(per_event(clear), 1), fixed(per_event(tls), 1),
            f"{fixed((per_event(tls) / per_event(clear) - 1) * 100, 1)} %", fixed(tls["tlsHandshakeBytes"] / max(tls["eventsDelivered"], 1), 1),
            fixed(tls["tlsRecordOverheadBytes"] / max(tls["eventsDelivered"], 1), 1), percent(layer / wire),
        ])
    return table(["Transport", "Variant, HTTP", "TCP conns", "Wire B / event, cleartext", "TLS 1.3", "Change", "Handshake B / event",
                  "Record overhead B / event", "TLS share of wire"], body, right=set(range(2, 9)))


def tls_summary(results):
    handshakes = {source: tls_row(results, source) for source in TLS_HANDSHAKES}
    smallest = min(handshakes.values(), key=lambda row: row["tlsHandshakeBytesPerConnection"])
    largest = max(handshakes.values(), key=lambda row: row["tlsHandshakeBytesPerConnection"])
    changes = sorted(((per_event(tls) / per_event(clear) - 1) * 100, tls) for clear, tls in tls_pairs(results))
    low, high = changes[0], changes[-1]
    return (f"a full handshake took {fixed(smallest['tlsHandshakeBytesPerConnection'], 0)} B ({smallest['tls']}) to "
            f"{fixed(largest['tlsHandshakeBytesPerConnection'], 0)} B ({largest['tls']}) both ways; over TLS 1.3 the suite's wire bytes per "
            f"event grew by {fixed(low[0], 1)} % ({prose(low[1])}, {low[1]['variant']}) to {fixed(high[0], 1)} % ({prose(high[1])}, {high[1]['variant']})")


def tls_link(results):
    body = []
    for source in TLS_LINK:
        for row in results.rows(source):
            body.append([
                display(row), variant(row), row.get("tls") or "off", ms(row["latencyP50Nanoseconds"]), ms(row["modelLatencyP50Nanoseconds"]),
                row.get("latencyModel", "–"), fixed(row["bytesPerDeliveredEvent"], 1),
            ])
    return table(["Transport", "Variant, HTTP", "TLS", "p50 (ms)", "Model p50 (ms)", "Model", "Wire B / event"], body, right={3, 4, 6})


def security_pairs(results):
    """(HS256, ES256) row pairs of the two authenticated runs, by transport."""
    hs, es = (by_transport(results.rows(source), source) for source in SECURITY)
    for transport, row in hs.items():
        if not row.get("tokensVerified"):
            raise DocError(f"{SECURITY[0]} has a {transport} row that verified no token")
    return [(row, need(es, transport, SECURITY[1])) for transport, row in hs.items()]


def security_table(results):
    body = []
    for hs, es in security_pairs(results):
        micro = lambda row: fixed(row["verifyCPUNanosecondsPerEvent"] / 1e3, 2)
        body.append([
            display(hs), f"{hs['requests']} / {es['requests']}", f"{hs['refusedRequests']} / {es['refusedRequests']}",
            f"{fixed(hs['authenticationBytesPerEvent'], 2)} / {fixed(es['authenticationBytesPerEvent'], 2)}",
            fixed(hs["overheadBytes"] / max(hs["eventsDelivered"], 1), 1), f"{micro(hs)} / {micro(es)}",
        ])
    return table(["Transport", "Requests (HS256 / ES256)", "Refused", "Token bytes / event, HS256 / ES256 (B)", "Overhead / event, HS256 (B)",
                  "Verify CPU / event, HS256 / ES256 (µs)"], body, right={1, 2, 3, 4, 5})


def security_summary(results):
    parts = []
    for hs, _ in security_pairs(results):
        overhead = hs["overheadBytes"] / max(hs["eventsDelivered"], 1)
        parts.append(f"{prose(hs)} {percent(hs['authenticationBytesPerEvent'] / overhead, 0)} "
                     f"({fixed(hs['authenticationBytesPerEvent'], 2)} of {fixed(overhead, 1)} B)")
    return "with minimal headers the token's bytes were this share of each transport's overhead per event: " + listing(parts)


def latency_pairs(results):
    """Each transport's rows with one client and with ten (Results/latency), in the files' order."""
    one, ten = (by_transport(results.rows(relative), relative) for relative in LATENCY)
    return [(one[name], need(ten, name, LATENCY[1])) for name in one]


def floor_cell(row):
    """p50 and p99 as multiples of the row's in-run floor, and the target's verdict."""
    target = row.get("latencyTargetToFloor")
    verdict = "" if target is None else f" (≤ {sig(target)}×: {'met' if row.get('latencyTargetMet') else 'not met'})"
    return f"{fixed(row['latencyP50ToFloor'], 2)}× / {fixed(row['latencyP99ToFloor'], 2)}×{verdict}"


def latency_table(results):
    body = []
    for one, ten in latency_pairs(results):
        body.append([display(one), fixed(one["instrumentFloorOneWayNanoseconds"] / 1e3, 1), ms(one["latencyP50Nanoseconds"]),
                     floor_cell(one), fixed(ten["instrumentFloorOneWayNanoseconds"] / 1e3, 1), ms(ten["latencyP50Nanoseconds"]),
                     floor_cell(ten)])
    return table(["Transport", "Floor, 1 client (µs)", "p50, 1 client (ms)", "p50 / p99 ÷ floor, 1 client",
                  "Floor, 10 clients (µs)", "p50, 10 clients (ms)", "p50 / p99 ÷ floor, 10 clients"], body, right={1, 2, 3, 4, 5, 6})


def deployment(row):
    """A scale-out row's (balancer, backplane), or None for a row in one process."""
    settings = (row.get("scaleOut") or {}).get("settings")
    return None if settings is None else (settings["balancer"], settings["backplane"])


def layer_rows(results):
    """The layers run's rows by transport, then by (balancer, backplane)."""
    layers = {}
    for row in results.rows(SCALE_OUT_LAYERS):
        layers.setdefault(row["transport"], {})[deployment(row)] = row
    for transport, rows in layers.items():
        for needed in [("nginx", "redis"), ("none", "redis"), ("nginx", "none")]:
            if needed not in rows:
                raise DocError(f"{SCALE_OUT_LAYERS} has no {transport} row with balancer {needed[0]} and backplane {needed[1]}")
    return layers


def bytes_per_delivery(row, total):
    return total / row["eventsDelivered"] if row["eventsDelivered"] else float("nan")


def plus(a, b):
    """`a − b` in ms, signed as report.md writes it."""
    return ("" if a >= b else "−") + ms(abs(a - b))


def scale_out_hops(results):
    body = []
    for transport, rows in layer_rows(results).items():
        full, direct, unbrokered = rows[("nginx", "redis")], rows[("none", "redis")], rows[("nginx", "none")]
        scale = full["scaleOut"]
        hop = scale["brokerHop"]
        published = full["eventsPublished"]
        nodes = [node["backplane"] for node in scale["nodes"] if node.get("backplane")]
        feed = sum(node["socketBytesReceived"] for node in nodes) / len(nodes) / published
        client_side = full["clientWireBytesReceived"] + full["clientWireBytesSent"]
        # A polled event waits for the next poll: the twins' difference is that wait's spread, not a hop.
        polled = full.get("delivery") == "poll"
        body.append([
            display(full), ms(full["latencyP50Nanoseconds"]), ms(full["latencyP99Nanoseconds"]),
            f"{ms(hop['p50Nanoseconds'])} / {ms(hop['p99Nanoseconds'])}",
            "–" if polled else f"{plus(full['latencyP50Nanoseconds'], direct['latencyP50Nanoseconds'])} / {plus(full['latencyP99Nanoseconds'], direct['latencyP99Nanoseconds'])}",
            "–" if polled else f"{plus(full['latencyP50Nanoseconds'], unbrokered['latencyP50Nanoseconds'])} / {plus(full['latencyP99Nanoseconds'], unbrokered['latencyP99Nanoseconds'])}",
            fixed(scale["publisherBytesSent"] / published, 1), fixed(feed, 1),
            fixed(bytes_per_delivery(full, client_side), 1), fixed(bytes_per_delivery(full, full["bytesUp"] + full["bytesDown"]), 1),
            f"{scale.get('clientsOnSeveralNodes', 0)} / {full['clients']}",
        ])
    return table(["Transport", "p50 (ms)", "p99 (ms)", "Broker hop p50 / p99 (ms)", "nginx adds p50 / p99 (ms)", "Redis adds p50 / p99 (ms)",
                  "PUBLISH / event (B)", "Node feed / event (B)", "Clients' side / event (B)", "Nodes' side / event (B)", "Clients on several nodes"],
                 body, right=set(range(1, 11)))


def scale_out_killed(results):
    body = []
    for row in results.rows(SCALE_OUT_KILLED):
        scale = row["scaleOut"]
        reconnect = row.get("reconnectTime")
        body.append([
            display(row), f"{row['eventsDelivered']} / {row['deliveriesExpected']}", row["eventsLost"], row["reconnects"],
            ms(reconnect["p50Nanoseconds"]) if reconnect else "–", ms(reconnect["maxNanoseconds"]) if reconnect else "–",
            fixed(scale["nodeKilledAtSeconds"], 2),
        ])
    return table(["Transport", "Delivered / expected", "Lost", "Reconnects", "Reconnect p50 (ms)", "Reconnect max (ms)", "Node killed at (s)"],
                 body, right={1, 2, 3, 4, 5, 6})


def scale_out_summary(results):
    layers = layer_rows(results)
    everything = [prose(rows[("nginx", "redis")]) for rows in layers.values() if rows[("nginx", "redis")]["eventsLost"] == 0]
    spread = [prose(rows[("nginx", "redis")]) for rows in layers.values() if (rows[("nginx", "redis")]["scaleOut"].get("clientsOnSeveralNodes") or 0) > 0]
    missed = {prose(rows[("nginx", "none")]): rows[("nginx", "none")]["eventsLost"] / rows[("nginx", "none")]["deliveriesExpected"] for rows in layers.values()}
    killed = results.rows(SCALE_OUT_KILLED)
    kill_lost = sum(row["eventsLost"] for row in killed)
    times = [row["reconnectTime"]["p50Nanoseconds"] for row in killed if row.get("reconnectTime")]
    text = (f"behind nginx with round robin and Redis between two nodes, {listing(everything)} delivered every event to every client "
            f"without sticky sessions ({listing(spread) or 'no transport'} had clients whose requests went to both nodes)")
    text += "; without the broker, " + listing(f"{name} lost {percent(share, 1)}" for name, share in missed.items()) + " of its deliveries"
    text += f"; with a node killed mid-run, {kill_lost} of {sum(row['deliveriesExpected'] for row in killed)} deliveries were lost"
    if times:
        text += f" and the clients that had to reconnect were back after {span(times, ' ms', lambda v: ms(v))} at the median"
    return text


def overhead_per_event(row):
    """Overhead bytes per delivered event after one-time handshakes, as report.md's cost table has it."""
    return bytes_per_delivery(row, row["overheadBytes"] - row["handshakeBytesUp"] - row["handshakeBytesDown"])


def layer_pairs(results, run):
    """(layered row, the row it is set beside) for each layered transport in one Results/layers run."""
    rows = by_transport(results.rows(LAYERS[run]), LAYERS[run])
    return [(need(rows, layered, LAYERS[run]), need(rows, beside, LAYERS[run])) for layered, beside in LAYERED.items()]


def layers_table(results):
    body = []
    for run in LAYER_RUNS:
        for layered, beside in layer_pairs(results, run):
            framing = bytes_per_delivery(layered, layered.get("layerFramingBytes") or 0)
            added = overhead_per_event(layered) - overhead_per_event(beside)
            body.append([
                display(layered), display(beside), f"{run[0]}, {run[1]}", fixed(overhead_per_event(beside), 1),
                fixed(overhead_per_event(layered), 1), fixed(framing, 1),
                fixed(bytes_per_delivery(layered, layered["base64InflationBytes"]), 1), ("+" if added >= 0 else "−") + fixed(abs(added), 1),
                f"{ms(beside['latencyP50Nanoseconds'])} / {ms(layered['latencyP50Nanoseconds'])}",
            ])
    return table(["Transport", "Beside", "Encoding, headers", "Beside: overhead / event (B)", "Overhead / event (B)", "Layer framing / event (B)",
                  "Base64 / event (B)", "Difference / event (B)", "p50 beside / layered (ms)"],
                 body, right=set(range(3, 9)))


def layers_summary(results):
    pairs = {layered["transport"]: (layered, beside) for layered, beside in layer_pairs(results, ("json", "minimal"))}
    stomp, websocket = pairs["stomp"]
    web, grpc = pairs["grpc-web"]
    text, _ = pairs["grpc-web-text"]
    ndjson, sse = pairs["http-streaming"]
    ack = by_transport(results.rows(LAYERS_ACK), LAYERS_ACK)
    acked = need(ack, "stomp", LAYERS_ACK)
    return (f"with 128-byte JSON events and minimal heads, STOMP's frame costs {fixed(bytes_per_delivery(stomp, stomp['layerFramingBytes']), 1)} B "
            f"per event on top of WebSocket's {fixed(overhead_per_event(websocket), 1)} B of overhead "
            f"({fixed(overhead_per_event(stomp), 1)} B in all; acknowledging every message makes it {fixed(overhead_per_event(acked), 1)} B); "
            f"gRPC-Web costs {fixed(overhead_per_event(web), 1)} B per event against gRPC's {fixed(overhead_per_event(grpc), 1)} B, "
            f"and its text format {fixed(overhead_per_event(text), 1)} B, {fixed(bytes_per_delivery(text, text['base64InflationBytes']), 1)} B of it base64; "
            f"NDJSON streaming costs {fixed(overhead_per_event(ndjson), 1)} B per event against SSE's {fixed(overhead_per_event(sse), 1)} B")


def environment(results):
    """The machine and build the committed reports came from."""
    machines = {}
    for relative in ALL_DOCUMENTS:
        env = results.json(relative)["environment"]
        key = (env["buildConfiguration"], env["cores"], env["cpuModel"], env["operatingSystem"], env["swiftVersion"])
        machines.setdefault(key, []).append(env["gitCommit"][:7])
    lines = [f"{build} build, Swift {swift}, {cores} cores ({cpu}), {system}; commit {listing(sorted(set(commits)))}"
             for (build, cores, cpu, system, swift), commits in machines.items()]
    return "From the committed reports: " + "; ".join(lines) + ". Each report names its machine, commit and command."


# Every block name and its generator, roughly in the order the README and docs/ use them.
GENERATORS = {
    "default-scenario": default_scenario,
    "default-table": default_table,
    "environment": environment,
    "summary": summary,
    "rate-sweep": rate_sweep,
    "payload-sweep": payload_sweep,
    "claims-table": claims_table,
    "claims-digest": claims_digest,
    "grpc-claim": grpc_claim,
    "heartbeat-claim": sentence(heartbeat_claim),
    "memory-claim": sentence(memory_claim),
    "link-table": link_table,
    "link-summary": sentence(link_summary),
    "delay-sweep": delay_sweep,
    "scale-table": scale_table,
    "scale-summary": sentence(scale_summary),
    "baseline-table": baseline_table,
    "baseline-summary": sentence(baseline_summary),
    "payloads-summary": sentence(payloads_summary),
    "remote-table": remote_table,
    "compression-table": compression_table,
    "compression-memory": compression_memory,
    "compression-summary": sentence(compression_summary),
    "payload-streams": payload_streams,
    "tls-handshakes": tls_handshakes,
    "tls-suite": tls_suite,
    "tls-summary": sentence(tls_summary),
    "tls-link": tls_link,
    "security-table": security_table,
    "security-summary": sentence(security_summary),
    "latency-table": latency_table,
    "scale-out-hops": scale_out_hops,
    "scale-out-killed": scale_out_killed,
    "scale-out-summary": sentence(scale_out_summary),
    "layers-table": layers_table,
    "layers-summary": sentence(layers_summary),
}

# ---------------------------------------------------------------------------------------------
# Blocks in the docs

BLOCK = re.compile(r"<!-- figures:([A-Za-z0-9-]+) -->\n(.*?)<!-- /figures:\1 -->", re.S)
OPENING = re.compile(r"<!-- figures:([A-Za-z0-9-]+) -->")
CLOSING = re.compile(r"<!-- /figures:([A-Za-z0-9-]+) -->")


def documents(root):
    """README.md and every docs/**/*.md of the checkout, those that exist."""
    paths = [root / "README.md"] + sorted((root / "docs").rglob("*.md"))
    return [path for path in paths if path.is_file()]


def render(path, root, results):
    """The document's text with every block as Results gives it, and the names of blocks that changed."""
    text = path.read_text(encoding="utf-8")
    relative = path.relative_to(root)
    blocks = list(BLOCK.finditer(text))
    starts, ends = {match.start() for match in blocks}, {match.end() for match in blocks}
    for opening in OPENING.finditer(text):
        if opening.start() not in starts:
            raise DocError(f"{relative}: block '{opening.group(1)}' has no closing <!-- /figures:{opening.group(1)} -->")
    for closing in CLOSING.finditer(text):
        if closing.end() not in ends:
            raise DocError(f"{relative}: <!-- /figures:{closing.group(1)} --> closes no block")
    changed = []

    def replace(match):
        name, old = match.group(1), match.group(2)
        if name not in GENERATORS:
            raise DocError(f"{relative}: unknown block '{name}' (generators: {', '.join(sorted(GENERATORS))})")
        try:
            new = GENERATORS[name](results).rstrip("\n") + "\n"
        except DocError as error:
            raise DocError(f"{relative}: block '{name}': {error}") from None
        except (KeyError, IndexError, TypeError, ZeroDivisionError) as error:
            raise DocError(f"{relative}: block '{name}': Results/ lacks what it reads ({type(error).__name__}: {error})") from None
        # Blank lines around the figures keep Markdown from reading the markers into a table or list.
        new = "\n" + new + "\n"
        if new != old:
            changed.append((name, old, new))
        return f"<!-- figures:{name} -->\n{new}<!-- /figures:{name} -->"

    return BLOCK.sub(replace, text), changed


def main():
    parser = argparse.ArgumentParser(description="Write the figures README.md and docs/*.md quote from the committed Results/.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 naming each block that differs from Results/")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent, help="the checkout (default: this script's)")
    arguments = parser.parse_args()
    root = arguments.root.resolve()
    results = Results(root)
    differing = 0
    try:
        paths = documents(root)
        if not paths:
            raise DocError(f"no README.md or docs/*.md under {root}")
        # Every document is rendered before any is written, so an error leaves all of them as they were.
        rendered = [(path, *render(path, root, results)) for path in paths]
        for path, text, changed in rendered:
            relative = path.relative_to(root)
            for name, old, new in changed:
                differing += 1
                if arguments.check:
                    print(f"{relative}: block '{name}' differs from what Results/ gives")
                    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), "committed", "from Results/", lineterm="", n=0)
                    for line in list(diff)[2:14]:
                        print(f"    {line}")
                else:
                    print(f"{relative}: block '{name}' rewritten")
            if changed and not arguments.check:
                path.write_text(text, encoding="utf-8")
    except DocError as error:
        print(f"doc-figures: error: {error}", file=sys.stderr)
        return 2
    if arguments.check and differing:
        print(f"{differing} block(s) disagree with Results/; run python3 scripts/doc-figures.py to rewrite them")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
