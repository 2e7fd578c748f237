package jangle.banking.app;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A logback encoder that writes either JSON lines or text, chosen when logging starts (framework.md §15, cli.md §1
 * {@code --log-format}). {@code json} (the application's default) delegates to logback's own {@link JsonEncoder}: one
 * JSON object per line with the level, logger, thread, formatted message, MDC (for example {@code correlationId}) and
 * the structured key/values such as {@code point} (L3). {@code text} delegates to a {@link PatternLayoutEncoder}
 * with {@link #DEFAULT_PATTERN}. Configured in {@code logback.xml} from the system property {@code jangle.log.format}
 * (set by the terminal before the first logger exists), else {@code JANGLE_LOG_FORMAT}, else {@code json}.
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {
    /** The text layout: UTC time, level, logger, thread, message, key/values, MDC. */
    public static final String DEFAULT_PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level %logger [%thread] %msg %kvp %mdc%n%ex";

    private String format = "json";
    private String pattern = DEFAULT_PATTERN;
    private Encoder<ILoggingEvent> delegate;

    /** {@code json} or {@code text}; anything else falls back to {@code json} with a logback status warning. */
    public void setFormat(String format) {
        this.format = format == null ? "json" : format.strip().toLowerCase(Locale.ROOT);
    }

    public String getFormat() {
        return format;
    }

    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        if (!format.equals("text") && !format.equals("json")) {
            addWarn("unknown log format '" + format + "', using json");
            format = "json";
        }
        if (format.equals("text")) {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(pattern);
            text.setCharset(StandardCharsets.UTF_8);
            delegate = text;
        } else {
            JsonEncoder json = new JsonEncoder();
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithContext(false);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            delegate = json;
        }
        delegate.setContext(getContext());
        delegate.start();
        super.start();
    }

    @Override
    public void stop() {
        if (delegate != null) delegate.stop();
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return delegate.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }
}
