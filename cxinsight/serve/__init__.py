"""`cxinsight serve` and `cxinsight mcp`: one warm process over one store (HTTP API, web page, MCP)."""
