package jangle.banking.app.load;

import java.time.Duration;
import java.util.Objects;

/**
 * What one load run does. {@code seconds} or {@code commands} bounds the measured phase (the first reached ends it);
 * {@code rate} is the target of an open-loop run in commands per second over all threads (0: closed loop, each thread
 * sends its next command when the previous one answered). Latency of an open-loop run is measured from the time a
 * command was due, not from when it was sent, so a stall is not hidden (no coordinated omission).
 */
public record LoadOptions(int threads, Duration duration, long commands, Duration warmup, int accounts, Mix mix,
                          double rate, long seed, Duration anchorDuration) {
    public LoadOptions {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(mix, "mix");
        Objects.requireNonNull(anchorDuration, "anchorDuration");
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        if (accounts < 1) throw new IllegalArgumentException("accounts must be at least 1, was " + accounts);
        if (accounts < 2 && (mix.transfers() > 0 || mix.requests() > 0)) {
            // one account is the hot-account figure; a transfer or request needs a second party
            throw new IllegalArgumentException("accounts must be at least 2 when the mix has transfers or requests, was "
                    + accounts);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
        if (commands < 0) throw new IllegalArgumentException("commands must not be negative, was " + commands);
        if (rate < 0) throw new IllegalArgumentException("rate must not be negative, was " + rate);
        if (warmup.isNegative()) throw new IllegalArgumentException("warmup must not be negative, was " + warmup);
    }

    /** The mix of command kinds, as relative weights. Requests are followed by an accept or a reject (7 in 10 accept). */
    public record Mix(int deposits, int withdrawals, int transfers, int requests) {
        public Mix {
            if (deposits < 0 || withdrawals < 0 || transfers < 0 || requests < 0) {
                throw new IllegalArgumentException("mix weights must not be negative");
            }
            if (deposits + withdrawals + transfers + requests == 0) {
                throw new IllegalArgumentException("mix: at least one weight must be positive");
            }
        }

        /** Deposits and withdrawals only: the in-memory and PostgreSQL targets of issue 7. */
        public static Mix depositsAndWithdrawals() {
            return new Mix(50, 50, 0, 0);
        }

        /** Every kind: the full pipeline with mediation and the Request saga. */
        public static Mix full() {
            return new Mix(35, 35, 20, 10);
        }

        /**
         * Parses {@code deposits=40,withdrawals=40,transfers=10,requests=10}; kinds left out weigh 0, and the words
         * {@code full} and {@code dw} name the two standard mixes.
         */
        public static Mix parse(String text) {
            String t = text.trim();
            if (t.equals("full")) return full();
            if (t.equals("dw")) return depositsAndWithdrawals();
            int d = 0, w = 0, tr = 0, r = 0;
            for (String part : t.split(",")) {
                String[] kv = part.split("=", 2);
                if (kv.length != 2) throw new IllegalArgumentException("mix: expected kind=weight, got '" + part + "'");
                int weight;
                try {
                    weight = Integer.parseInt(kv[1].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("mix: weight of '" + kv[0].trim() + "' is not a whole number: '"
                            + kv[1].trim() + "'");
                }
                switch (kv[0].trim()) {
                    case "deposits" -> d = weight;
                    case "withdrawals" -> w = weight;
                    case "transfers" -> tr = weight;
                    case "requests" -> r = weight;
                    default -> throw new IllegalArgumentException("mix: unknown kind '" + kv[0].trim()
                            + "' (deposits, withdrawals, transfers, requests)");
                }
            }
            return new Mix(d, w, tr, r);
        }

        int total() {
            return deposits + withdrawals + transfers + requests;
        }

        @Override
        public String toString() {
            return "deposits=" + deposits + ",withdrawals=" + withdrawals + ",transfers=" + transfers
                    + ",requests=" + requests;
        }
    }
}
