package jangle.banking.app.web;

/**
 * The Prometheus scrape behind {@code GET /metrics} (operators only). Without one the route answers 404 saying that
 * no metrics are configured, rather than pretending with an empty page.
 */
public interface MetricsSource {
    /** The exposition format's content type, e.g. {@code text/plain; version=0.0.4; charset=utf-8}. */
    String contentType();

    /** The current scrape text. */
    String scrape();
}
