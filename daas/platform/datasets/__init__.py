"""Stored datasets: Parquet parts ingested from uploads and URLs, previewed and exported."""
