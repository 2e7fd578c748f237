package jangle.banking.app.web;

/**
 * A request the API refuses, with the HTTP status and a message that names the problem (and the field, when one is
 * at fault). Thrown by the route code and written as {@code {"error": ..., "field": ...}}; never carries a secret.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String field;

    ApiError(int status, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    ApiError(int status, String message) {
        this(status, message, null);
    }
}
