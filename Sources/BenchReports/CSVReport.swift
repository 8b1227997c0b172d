import BenchCore

/// `results.csv`: one row per transport × variant × encoding × scenario; every column's name
/// ends with its unit.
public enum CSVReport {
    /// Column names, each with its unit.
    public static let header = [
        "scenario", "transport", "variant", "http_version", "encoding", "direction", "clients_count",
        "events_published_count", "deliveries_expected_count", "events_delivered_count", "events_lost_count",
        "events_duplicated_count", "events_out_of_order_count",
        "bytes_up_bytes", "bytes_down_bytes", "payload_bytes", "overhead_bytes", "overhead_ratio_percent",
        "wire_bytes_per_delivered_event_bytes",
        "handshake_up_bytes", "handshake_down_bytes", "overhead_per_event_excluding_handshakes_bytes", "base64_inflation_bytes",
        "requests_count", "empty_responses_count", "connections_count", "connections_dropped_count", "reconnects_count",
        "heartbeats_count", "heartbeat_per_idle_connection_hour_model_bytes",
        "deadlines_exceeded_count", "calls_cancelled_count", "overhead_per_request_bytes",
        "http2_header_block_bytes", "http2_header_list_uncompressed_bytes", "http2_frame_header_bytes", "grpc_message_prefix_bytes",
        "latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_p999_us", "latency_max_us", "latency_mean_us",
        "latency_samples_count", "uncorrected_latency_p50_us", "uncorrected_latency_p99_us", "uncorrected_latency_max_us", "duration_s", "time_scale_factor",
        "model_latency_p50_us", "link_delay_ms", "link_jitter_ms", "link_up_bits_per_second", "link_down_bits_per_second",
        "process_user_cpu_s", "process_system_cpu_s", "process_cpu_per_delivered_event_us", "process_peak_resident_bytes",
        "header_profile", "cookie_bytes",
        "compression", "payload_content", "compression_plain_bytes", "compression_compressed_bytes", "compression_ratio_percent",
        "bytes_if_uncompressed_bytes", "messages_sent_uncompressed_count", "compress_cpu_per_delivered_event_ns",
        "decompress_cpu_per_delivered_event_ns",
        "tls", "tls_handshakes_count", "tls_handshake_bytes", "tls_handshake_per_connection_bytes", "tls_application_records_count",
        "tls_record_overhead_bytes", "tls_record_overhead_per_record_bytes", "tls_alert_bytes", "tls_plaintext_bytes",
        "tls_handshake_failures_count", "tls_handshake_timeouts_count",
        "security", "refused_requests_count", "tokens_verified_count", "authentication_bytes",
        "authentication_per_delivered_event_bytes", "verify_cpu_per_delivered_event_ns",
        "instrument_floor_one_way_us", "latency_p50_to_floor_factor", "latency_p99_to_floor_factor", "latency_target_to_floor_factor",
        "machine_steal_percent", "machine_runnable_mean_count", "disturbances_count",
        "tcp_info_connections_count", "tcp_segments_up_count", "tcp_segments_down_count", "tcp_retransmitted_segments_count",
        "tcp_handshake_segments_count", "tcp_teardown_segments_count", "tcp_ip_header_up_bytes", "tcp_ip_header_down_bytes",
        "tcp_ip_header_per_delivered_event_bytes",
    ]

    public static func render(_ document: ResultsDocument) -> String {
        render(document.results)
    }

    public static func render(_ results: [RunResult]) -> String {
        var lines = [header.joined(separator: ",")]
        for result in results {
            let fields: [String] = [
                escape(result.scenario), result.transport, result.variant, result.httpVersion, result.encoding, result.direction, "\(result.clients)",
                "\(result.eventsPublished)", "\(result.deliveriesExpected)", "\(result.eventsDelivered)", "\(result.eventsLost)",
                "\(result.eventsDuplicated)", "\(result.eventsOutOfOrder)",
                "\(result.bytesUp)", "\(result.bytesDown)", "\(result.payloadBytes)", "\(result.overheadBytes)",
                Format.decimal(result.overheadRatio * 100, places: 3),
                Format.decimal(result.bytesPerDeliveredEvent, places: 3),
                "\(result.handshakeBytesUp)", "\(result.handshakeBytesDown)", Format.decimal(result.perEventOverheadBytes, places: 3),
                "\(result.base64InflationBytes)", "\(result.requests)", "\(result.emptyResponses)", "\(result.connections)", "\(result.connectionsDropped)", "\(result.reconnects)",
                "\(result.heartbeats)", Format.decimal(result.heartbeatBytesPerIdleConnectionHour, places: 1),
                "\(result.deadlinesExceeded)", "\(result.callsCancelled)", Format.decimal(result.overheadPerRequestBytes, places: 3),
                result.http2.map { "\($0.headerBlocks.total)" } ?? "", result.http2.map { "\($0.headerFields.total)" } ?? "",
                result.http2.map { "\($0.frameHeaderBytes)" } ?? "", result.http2.map { "\($0.grpcMessagePrefixes.total)" } ?? "",
                Format.microseconds(result.latencyP50Nanoseconds), Format.microseconds(result.latencyP90Nanoseconds),
                Format.microseconds(result.latencyP99Nanoseconds), Format.microseconds(result.latencyP999Nanoseconds),
                Format.microseconds(result.latencyMaxNanoseconds), Format.decimal(result.latencyMeanNanoseconds / 1e3, places: 3),
                "\(result.latencySamples)", Format.microseconds(result.uncorrectedLatencyP50Nanoseconds),
                Format.microseconds(result.uncorrectedLatencyP99Nanoseconds), Format.microseconds(result.uncorrectedLatencyMaxNanoseconds),
                Format.decimal(result.durationSeconds, places: 3), Format.decimal(result.timeScale, places: 3),
                result.modelLatencyP50Nanoseconds.map { Format.microseconds($0) } ?? "",
                Format.decimal((result.link?.delaySeconds ?? 0) * 1000, places: 3), Format.decimal((result.link?.jitterSeconds ?? 0) * 1000, places: 3),
                result.link?.upBitsPerSecond.map { Format.decimal($0, places: 0) } ?? "", result.link?.downBitsPerSecond.map { Format.decimal($0, places: 0) } ?? "",
                result.processUserCPUSeconds.map { Format.decimal($0, places: 3) } ?? "", result.processSystemCPUSeconds.map { Format.decimal($0, places: 3) } ?? "",
                result.processCPUMicrosecondsPerDeliveredEvent.map { Format.decimal($0, places: 3) } ?? "", result.processPeakResidentBytes.map { "\($0)" } ?? "",
                escape(result.headerProfile ?? ""), result.cookieBytes.map { "\($0)" } ?? "",
                escape(result.compression ?? ""), result.payloadContent ?? "",
                result.compressionPlainBytes.map { "\($0)" } ?? "", result.compressionCompressedBytes.map { "\($0)" } ?? "",
                result.compressionRatio.map { Format.decimal($0 * 100, places: 3) } ?? "",
                result.bytesIfUncompressed.map { "\($0)" } ?? "",
                result.isCompressed ? "\(result.messagesSentUncompressed)" : "",
                result.compressCPUNanosecondsPerEvent.map { Format.decimal($0, places: 1) } ?? "",
                result.decompressCPUNanosecondsPerEvent.map { Format.decimal($0, places: 1) } ?? "",
                escape(result.tls ?? ""), result.serverTLS.map { "\($0.handshakes)" } ?? "", result.tlsHandshakeBytes.map { "\($0)" } ?? "",
                result.tlsHandshakeBytesPerConnection.map { Format.decimal($0, places: 1) } ?? "",
                result.serverTLS.map { "\($0.applicationRecords)" } ?? "", result.tlsRecordOverheadBytes.map { "\($0)" } ?? "",
                result.tlsRecordOverheadBytesPerRecord.map { Format.decimal($0, places: 3) } ?? "", result.tlsAlertBytes.map { "\($0)" } ?? "",
                result.serverTLS.map { "\($0.plaintextBytesIn + $0.plaintextBytesOut)" } ?? "",
                result.serverTLS.map { "\($0.handshakeFailures)" } ?? "", result.serverTLS.map { "\($0.handshakeTimeouts)" } ?? "",
                escape(result.security ?? ""), result.refusedRequests.map { "\($0)" } ?? "",
                result.tokensVerified.map { "\($0)" } ?? "", result.authenticationBytes.map { "\($0)" } ?? "",
                result.authenticationBytesPerEvent.map { Format.decimal($0, places: 3) } ?? "",
                result.verifyCPUNanosecondsPerEvent.map { Format.decimal($0, places: 1) } ?? "",
                result.instrumentFloorOneWayNanoseconds.map { Format.microseconds($0) } ?? "",
                result.latencyP50ToFloor.map { Format.decimal($0, places: 3) } ?? "", result.latencyP99ToFloor.map { Format.decimal($0, places: 3) } ?? "",
                result.latencyTargetToFloor.map { Format.decimal($0, places: 1) } ?? "",
                result.machineLoad.map { Format.decimal($0.stealShare * 100, places: 3) } ?? "",
                result.machineLoad.map { Format.decimal($0.runnableMean, places: 2) } ?? "", result.disturbances.map { "\($0.count)" } ?? "",
            ]
            lines.append((fields + tcpFields(result)).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The TCP/IP estimate's columns (``TCPTally``), empty where TCP_INFO was not read.
    static func tcpFields(_ result: RunResult) -> [String] {
        guard let tcp = result.tcp else { return Array(repeating: "", count: 9) }
        return [
            "\(tcp.connections)", "\(tcp.segmentsIn)", "\(tcp.segmentsOut)", "\(tcp.retransmittedSegments)",
            "\(tcp.handshakeSegments)", "\(tcp.teardownSegments)", "\(tcp.headerBytesIn)", "\(tcp.headerBytesOut)",
            result.tcpHeaderBytesPerEvent.map { Format.decimal($0, places: 3) } ?? "",
        ]
    }

    /// Quotes a field that holds a comma, a quote or a line break (RFC 4180).
    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
