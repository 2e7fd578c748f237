package jangle.banking.app.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reading requests strictly: a JSON body must say {@code Content-Type: application/json}, fit the size limit, parse,
 * and name no field the route does not know. Each refusal is an {@link ApiError} naming the problem.
 */
final class Http {
    private final JsonMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final int maxBodyBytes;

    Http(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The raw body, at most the limit (413 beyond it, also when the client sent no length). */
    byte[] body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBodyBytes) throw tooLarge();
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(maxBodyBytes + 1);
            if (bytes.length > maxBodyBytes) throw tooLarge();
            return bytes;
        } catch (IOException e) {
            throw new ApiError(400, "the request body could not be read: " + e.getMessage());
        }
    }

    /** The body as {@code type}; an empty body is {@code {}} when {@code emptyAllowed}. */
    <T> T json(Context ctx, byte[] body, Class<T> type, boolean emptyAllowed) {
        if (body.length == 0) {
            if (!emptyAllowed) throw new ApiError(400, "a JSON body is required");
            body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else {
            String ct = ctx.contentType();
            String base = ct == null ? "" : ct.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!base.equals("application/json")) {
                throw new ApiError(415, "Content-Type must be application/json, not "
                        + (ct == null ? "missing" : "'" + ct + "'"));
            }
        }
        try {
            JsonNode tree = mapper.readTree(body);
            if (tree == null || !tree.isObject()) throw new ApiError(400, "the body must be a JSON object");
            return mapper.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ApiError(400, "unknown field '" + e.getPropertyName() + "'", e.getPropertyName());
        } catch (MismatchedInputException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]"
                    : r.getFieldName()).collect(Collectors.joining("."));
            throw new ApiError(400, (field.isEmpty() ? "the body" : "field '" + field + "'") + " has the wrong type",
                    field.isEmpty() ? null : field);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiError(400, "the request body could not be read: " + e.getMessage());
        }
    }

    JsonNode tree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored answer is not JSON", e);
        }
    }

    private ApiError tooLarge() {
        return new ApiError(413, "the request body is larger than " + maxBodyBytes + " bytes");
    }
}
