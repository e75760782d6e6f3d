// Runs SQL the way the Grafana ClickHouse plugin (4.20, clickhouse-go v2.47.0) does over HTTP:
// clickhouse.OpenDB with protocol HTTP and gzip compression (pkg/plugin/driver.go
// buildClickHouseOptions), queries through database/sql as sqlds does, every column scanned
// into the driver's own scan type (what the plugin's converters receive).
//
// Input (stdin): {"addr": "127.0.0.1:8123", "user": "...", "password": "...", "queries": ["SELECT ..."]}
// Output (stdout): one JSON line per query: {"columns": [...], "types": [...], "rows": [[...]]}
// or {"error": "..."}. Decimals are printed as exact decimal strings.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/shopspring/decimal"
)

type input struct {
	Addr     string   `json:"addr"`
	User     string   `json:"user"`
	Password string   `json:"password"`
	Queries  []string `json:"queries"`
}

type result struct {
	Columns []string `json:"columns"`
	Types   []string `json:"types"`
	Rows    [][]any  `json:"rows"`
	Error   string   `json:"error,omitempty"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	db := clickhouse.OpenDB(&clickhouse.Options{
		Addr:        []string{in.Addr},
		Auth:        clickhouse.Auth{Username: in.User, Password: in.Password, Database: "otel"},
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionGZIP},
		DialTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second,
		Protocol:    clickhouse.HTTP,
	})
	defer db.Close()
	out := json.NewEncoder(os.Stdout)
	for _, query := range in.Queries {
		_ = out.Encode(run(db, query))
	}
}

func run(db *sql.DB, query string) result {
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		return result{Error: err.Error()}
	}
	defer rows.Close()
	columnTypes, err := rows.ColumnTypes()
	if err != nil {
		return result{Error: err.Error()}
	}
	res := result{Rows: [][]any{}}
	for _, ct := range columnTypes {
		res.Columns = append(res.Columns, ct.Name())
		res.Types = append(res.Types, ct.DatabaseTypeName())
	}
	for rows.Next() {
		targets := make([]any, len(columnTypes))
		for i, ct := range columnTypes {
			targets[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(targets...); err != nil {
			return result{Error: err.Error()}
		}
		row := make([]any, len(targets))
		for i, target := range targets {
			row[i] = plain(reflect.ValueOf(target).Elem())
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return result{Error: err.Error()}
	}
	return res
}

// plain turns a scanned value into JSON: nil pointers are null, decimals exact strings,
// times in RFC 3339 with nanoseconds (UTC).
func plain(v reflect.Value) any {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch value := v.Interface().(type) {
	case decimal.Decimal:
		return value.String()
	case time.Time:
		return value.UTC().Format(time.RFC3339Nano)
	default:
		return value
	}
}
