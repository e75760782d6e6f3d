// Drives aicost up's ClickHouse HTTP interface with clickhouse-go over HTTP,
// the driver the Grafana plugin and the contrib exporter use.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func main() {
	addr := os.Args[1]
	mode := os.Args[2]
	comp := clickhouse.CompressionNone
	if len(os.Args) > 3 && os.Args[3] == "gzip" {
		comp = clickhouse.CompressionGZIP
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:     []string{addr},
		Protocol: clickhouse.HTTP,
		// aicost up's credential, from its data directory (passed by the test).
		Auth:        clickhouse.Auth{Database: "otel", Username: "default", Password: os.Getenv("CLICKHOUSE_PASSWORD")},
		Compression: &clickhouse.Compression{Method: comp},
		// The exporter adds async_insert; the Grafana plugin adds limit and max_execution_time.
		Settings: clickhouse.Settings{"async_insert": 1, "limit": 1000000, "max_execution_time": 60},
	})
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	if err := conn.Ping(ctx); err != nil {
		fail(err)
	}
	v, err := conn.ServerVersion()
	if err != nil {
		fail(err)
	}
	fmt.Printf("version %d.%d\n", v.Version.Major, v.Version.Minor)
	switch mode {
	case "query":
		rows, err := conn.Query(ctx, "SELECT SpanName, SpanAttributes, Duration, Timestamp, Events.Name FROM otel.otel_traces ORDER BY SpanName LIMIT 5")
		if err != nil {
			fail(err)
		}
		for rows.Next() {
			var name string
			var attrs map[string]string
			var dur uint64
			var ts time.Time
			var events []string
			if err := rows.Scan(&name, &attrs, &dur, &ts, &events); err != nil {
				fail(err)
			}
			fmt.Printf("row %s %s %d %d %v\n", name, attrs["aicost.feature"], dur, ts.UnixNano(), events)
		}
		if err := rows.Err(); err != nil {
			fail(err)
		}
	case "insert":
		// The exporter's insert: DESCRIBE TABLE, then INSERT ... FORMAT Native with one block.
		batch, err := conn.PrepareBatch(ctx, `INSERT INTO "otel"."otel_traces" (
    Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes,
    ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage,
    Events.Timestamp, Events.Name, Events.Attributes, Links.TraceId, Links.SpanId, Links.TraceState, Links.Attributes
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			fail(err)
		}
		start := time.Unix(1_800_000_000, 123456789).UTC()
		// Plain and gzip batches carry different spans; the same mode twice sends the same batch (a retry).
		spanPrefix := "b7ad6b716920333"
		if comp == clickhouse.CompressionGZIP {
			spanPrefix = "c7ad6b716920333"
		}
		for i := 0; i < 3; i++ {
			if err := batch.Append(
				start, "0af7651916cd43dd8448eb211c80319c", fmt.Sprintf("%s%d", spanPrefix, i), "", "",
				"chat gpt-4o", "Client", "go-exporter", map[string]string{"service.name": "go-exporter"},
				"scope", "1.0", map[string]string{
					"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
					"gen_ai.usage.input_tokens": "10", "aicost.cost.total": "0.000100000", "aicost.feature": "from-go",
				},
				uint64(1500), "Ok", "",
				[]time.Time{start}, []string{"ev"}, []map[string]string{{"k": "v"}},
				[]string{}, []string{}, []string{}, []map[string]string{},
			); err != nil {
				fail(err)
			}
		}
		if err := batch.Send(); err != nil {
			fail(err)
		}
		fmt.Println("inserted 3")
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}
