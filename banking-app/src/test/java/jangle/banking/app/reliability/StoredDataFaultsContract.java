package jangle.banking.app.reliability;

import jangle.CommandResponse;
import jangle.ConsistencyTimeoutException;
import jangle.EventRecord;
import jangle.SendOptions;
import jangle.SerializationException;
import jangle.banking.AcceptRequest;
import jangle.banking.AccountListItem;
import jangle.banking.AccountSummary;
import jangle.banking.AccountSummaryView;
import jangle.banking.AccountsList;
import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.Request;
import jangle.banking.RequestSaga;
import jangle.banking.Transfer;
import jangle.banking.WithdrawFunds;
import jangle.banking.app.BankingApplication;
import jangle.banking.app.BankingConfig;
import jangle.banking.app.views.ViewTables;
import jangle.jdbc.JdbcDatabase;
import jangle.jdbc.SqlDialect;
import jangle.spi.Delivery;
import jangle.spi.EventStore;
import jangle.spi.SagaState;
import jangle.test.MutableClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 5, invalid stored data: rows of a real database corrupted behind the application's back (an event of an
 * unknown type, payloads that are not JSON or do not match their record, snapshots of an old shape or with a corrupt
 * state, a saga history entry of an unknown type). For each, the application must name the problem (J7, D14), fail
 * only what depends on the unreadable row, write nothing for a command it cannot decide, leave every committed row as it
 * was, and keep serving everything else: commands on other aggregates, queries, live dispatch, the event daemon and
 * its catch-up pass, replay and the feed.
 *
 * <p>Data is committed by the real application with dispatch stopped (deliveries wait in the ledger, CR4), the
 * application is closed, a row is corrupted with plain JDBC, and the application is opened again, so nothing read
 * before the corruption is cached.
 */
abstract class StoredDataFaultsContract {
    /** A bound on waits for dispatch or a read model: only a hang reaches it, a busy machine does not. */
    static final Duration WAIT = Duration.ofMinutes(2);
    static final String ALICE = "000001";
    static final String BOB = "000002";
    static final String CAROL = "000003";
    /** The handler names of banking's dispatch. */
    static final String VIEWS = "bank-views";

    /** A fresh, empty database for each test. */
    protected abstract BankingConfig newConfig();

    /** False where the column type itself refuses text that is not JSON (PostgreSQL {@code json}). */
    protected abstract boolean storesInvalidJsonText();

    // ------------------------------------------------------------------ event rows (cases 1 and 2)

    /** Ways an event row can be unreadable. */
    enum EventFault {
        /** Written by a newer program, or renamed without {@code @EventType(name = ...)}. */
        UNKNOWN_TYPE("unknown event type name 'FundsMovedSomewhere'"),
        /** A required component missing from the JSON object (J5). */
        MISSING_FIELD("balance"),
        /** A component of the wrong JSON type: an object where the amount string belongs. */
        WRONG_TYPE("amount"),
        /** Text that is not JSON at all (cut off). */
        NOT_JSON("end-of-input");

        final String problem;

        EventFault(String problem) {
            this.problem = problem;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventFault.class)
    @Tag("D14")
    @Tag("J7")
    @DisplayName("D14, J7: an unreadable event fails only its own deliveries, names itself, and everything else goes on")
    void unreadableEvent(EventFault fault) throws Exception {
        MutableClock clock = new MutableClock();
        BankingConfig config = newConfig().withClock(clock);
        // ---- committed by the real application, dispatch not started: every delivery waits in the ledger
        try (BankingApplication app = BankingApplication.open(config)) {
            create(app, "Alice", "100");
            create(app, "Bobby", "50");
            create(app, "Carol", "10");
            accept(app, new DepositFunds(BOB, new BigDecimal("5"), null)); // Bob v3: the row to corrupt
            accept(app, new DepositFunds(ALICE, new BigDecimal("1"), null));
        }
        try (BankingApplication app = BankingApplication.open(config)) {
            JdbcDatabase db = app.database();
            Row bad = eventRow(db, BOB, 3);
            assertThat(bad.type()).isEqualTo("FundsDeposited");
            if (fault == EventFault.NOT_JSON && !storesInvalidJsonText()) {
                assertThatThrownBy(() -> corruptEvent(db, bad, fault))
                        .as("the json column refuses text that is not JSON").isInstanceOf(SQLException.class);
                assertThat(eventRow(db, BOB, 3)).isEqualTo(bad);
                return;
            }
            try {
                corruptEvent(db, bad, fault);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            List<List<String>> eventsBefore = events(db);
            long lastBefore = app.jangle().stores().events().lastPosition();
            String badId = bad.eventId();

            // ---- start: the processors catch up (D17); bank-views parks the unreadable event after its in-line
            // attempts (D3, D14) and goes on past it
            app.start();
            if (fault == EventFault.UNKNOWN_TYPE) {
                // a type no handler knows is in no processor's subscription (D17): nothing to park, every processor
                // passes it; the aggregate's own history still names it (below the early return: the same checks)
                assertThat(app.awaitProcessors(lastBefore, WAIT)).as("processors pass the unknown type").isTrue();
                assertThat(app.jangle().operations().pending(null, 1000)).isEmpty();
                assertThat(balances(app)).containsEntry(ALICE, "101.00").containsEntry(BOB, "50.00")
                        .containsEntry(CAROL, "10.00");
                assertThatThrownBy(() -> app.jangle().send(new DepositFunds(BOB, new BigDecimal("7"), null)))
                        .isInstanceOf(SerializationException.class).hasMessageContaining("aggregate '" + BOB + "'")
                        .hasMessageContaining(badId).hasMessageContaining(fault.problem);
                assertThat(events(db)).isEqualTo(eventsBefore);
                return;
            }
            Delivery d = awaitFailed(app, VIEWS);
            awaitSegments(app, VIEWS, lastBefore); // and past it: the rest of the feed is handled
            List<Delivery> pending = app.jangle().operations().pending(null, 1000);
            assertThat(pending).as("only the unreadable event's deliveries are parked").hasSize(1);
            assertThat(d.eventId().toString()).isEqualTo(badId);
            assertThat(d.handler()).isEqualTo(VIEWS);
            assertThat(d.position()).isEqualTo(bad.position());
            int attempts = d.attempts();
            assertThat(attempts).isPositive();
            assertUnreadable(d.lastError(), badId, fault);

            // ---- queries: every other event was projected
            assertThat(balances(app)).containsEntry(ALICE, "101.00").containsEntry(BOB, "50.00")
                    .containsEntry(CAROL, "10.00");

            // ---- a command on the aggregate whose history cannot be read: clear error, nothing written
            UUID correlation = UUID.randomUUID();
            assertThatThrownBy(() -> app.jangle().send(new DepositFunds(BOB, new BigDecimal("7"), null),
                    SendOptions.NONE.withCorrelationId(correlation)))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("aggregate '" + BOB + "'")
                    .hasMessageContaining(badId)
                    .hasMessageContaining(fault.problem);
            assertThat(app.jangle().stores().events().lastVersion(BOB)).isEqualTo(3);
            assertThat(app.jangle().stores().events().lastPosition()).isEqualTo(lastBefore);

            // ---- other aggregates: commands, live dispatch, a transfer through the mediator reactor
            // (waits by correlation, CA3: a read-your-writes wait on bank-views, CA1, waits for every lower position)
            settled(app, new DepositFunds(CAROL, new BigDecimal("2"), null));
            assertThat(balances(app)).containsEntry(CAROL, "12.00");
            CommandResponse dep = accept(app, new DepositFunds(CAROL, new BigDecimal("1"), null));
            assertThatThrownBy(() -> app.jangle().query(new AccountSummary(CAROL), dep.token(), Duration.ofMillis(300)))
                    .as("CA1: bank-views has not handled every position up to the token (the unreadable one)")
                    .isInstanceOf(ConsistencyTimeoutException.class).hasMessageContaining(VIEWS);
            settled(app, new WithdrawFunds(CAROL, new BigDecimal("1"), null));
            settled(app, new Transfer(ALICE, CAROL, new BigDecimal("20"), null));
            assertThat(balances(app)).containsEntry(ALICE, "81.00").containsEntry(CAROL, "32.00");

            // a transfer to the unreadable account: the debit commits, the mediator's credit fails naming Bob
            CommandResponse toBob = accept(app, new Transfer(ALICE, BOB, new BigDecimal("3"), null));
            assertThat(toBob.isAccepted()).isTrue();
            Delivery mediator = awaitFailed(app, "transfer-mediator");
            assertThat(mediator.lastError()).contains("aggregate '" + BOB + "'").contains(badId);

            // ---- the event daemon: another catch-up pass and a scheduled-age pass retry it, same error, still running
            app.jangle().operations().runCatchUpPass();
            Delivery again = delivery(app, UUID.fromString(badId), VIEWS);
            assertThat(again.attempts()).isEqualTo(attempts + 1);
            assertUnreadable(again.lastError(), badId, fault);
            clock.advance(Duration.ofMinutes(5));
            assertThat(app.jangle().operations().runEventDaemonPass()).isGreaterThanOrEqualTo(1);
            assertThat(delivery(app, UUID.fromString(badId), VIEWS).attempts()).isEqualTo(attempts + 2);
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                    .contains("jangle-event-daemon");
            settled(app, new WithdrawFunds(CAROL, new BigDecimal("1"), null));
            assertThat(balances(app)).containsEntry(CAROL, "31.00");

            // ---- the feed: reading across the row names it; reading around it works
            EventStore store = app.jangle().stores().events();
            assertThatThrownBy(() -> store.readFeed(0, 1000)).isInstanceOf(SerializationException.class)
                    .hasMessageContaining(badId).hasMessageContaining(fault.problem);
            assertThatThrownBy(() -> store.readEvent(UUID.fromString(badId)))
                    .isInstanceOf(SerializationException.class).hasMessageContaining(badId);
            List<EventRecord<?>> after = store.readFeed(bad.position(), 1000);
            assertThat(after).isNotEmpty().allSatisfy(r -> assertThat(r.position()).isGreaterThan(bad.position()));
            assertThat(store.readFeed(0, (int) bad.position() - 1)).hasSize((int) bad.position() - 1);

            // ---- replay: refuses with the same named error, and leaves the live read models as they were
            Map<String, List<List<Object>>> views = ViewTables.dump(db);
            assertThatThrownBy(() -> app.verifyReplay(null)).isInstanceOf(SerializationException.class)
                    .hasMessageContaining(badId);
            assertThatThrownBy(() -> app.replay(null)).hasMessageContaining(badId)
                    .hasMessageContaining(fault.problem);
            assertThat(ViewTables.dump(db)).as("a refused replay leaves the read models as they were")
                    .isEqualTo(views);
            assertThat(balances(app)).containsEntry(ALICE, "78.00").containsEntry(CAROL, "31.00");

            // ---- nothing committed was lost or altered
            assertThat(events(db).subList(0, eventsBefore.size())).isEqualTo(eventsBefore);

            // ---- an operator repairs the row: everything resumes
            try {
                repair(db, bad);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            // the retries so far may have used up their attempts (in-line ones count, D3): the operator retries them
            app.jangle().operations().retryAll(null);
            app.jangle().operations().runCatchUpPass();
            CommandResponse bob = accept(app, new DepositFunds(BOB, new BigDecimal("7"), null));
            assertThat(app.jangle().query(new AccountSummary(BOB), bob.token(), WAIT))
                    .map(AccountSummaryView::balance).contains(new BigDecimal("65.00")); // 50 + 5 + 3 (transfer) + 7
            assertThat(app.jangle().operations().pending(null, 10)).isEmpty();
            assertThat(app.verifyReplay(null)).isEmpty();
        }
    }

    /** The recorded error of an unreadable event (D14): a SerializationException naming the event and the problem. */
    private static void assertUnreadable(String error, String eventId, EventFault fault) {
        // parked by a processor's read (D14): the store's message; retried by the daemon: the exception's text
        assertThat(error).satisfiesAnyOf(e -> assertThat(e).startsWith(SerializationException.class.getName()),
                        e -> assertThat(e).startsWith("Cannot read or write event"))
                .contains(eventId)
                .contains(fault == EventFault.UNKNOWN_TYPE ? "FundsMovedSomewhere" : "FundsDeposited")
                .contains(fault.problem);
    }

    private void corruptEvent(JdbcDatabase db, Row row, EventFault fault) throws SQLException {
        String payload = switch (fault) {
            case UNKNOWN_TYPE -> row.payload();
            case MISSING_FIELD -> row.payload().replaceFirst(",?\"balance\":\"[^\"]*\"", "");
            case WRONG_TYPE -> row.payload().replaceFirst("\"amount\":\"[^\"]*\"", "\"amount\":{\"units\":5}");
            case NOT_JSON -> row.payload().substring(0, row.payload().indexOf("\"balance\"") + 10);
        };
        assertThat(payload).as("the corruption changes the row").isNotEqualTo(
                fault == EventFault.UNKNOWN_TYPE ? null : row.payload());
        String type = fault == EventFault.UNKNOWN_TYPE ? "FundsMovedSomewhere" : row.type();
        update(db, "UPDATE jangle_events SET type = ?, payload = " + json(db) + " WHERE position = ?",
                type, payload, row.position());
    }

    private void repair(JdbcDatabase db, Row row) throws SQLException {
        update(db, "UPDATE jangle_events SET type = ?, payload = " + json(db) + " WHERE position = ?",
                row.type(), row.payload(), row.position());
    }

    // ------------------------------------------------------------------ snapshots (case 3)

    /** Ways a snapshot row can be wrong. */
    enum SnapshotFault {
        /** Written by older code: another fingerprint, another shape, and a balance that events do not give (S3). */
        OLD_FINGERPRINT,
        /** The current fingerprint, but the state misses a component (an old shape the fingerprint did not see). */
        OLD_SHAPE_SAME_FINGERPRINT,
        /** The current fingerprint, but the state is not JSON. */
        NOT_JSON
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SnapshotFault.class)
    @Tag("S3")
    @Tag("S5")
    @Tag("S6")
    @DisplayName("S3, S5, S6: a stale or corrupt snapshot is ignored and deleted; the aggregate is rebuilt from events")
    void badSnapshot(SnapshotFault fault) {
        BankingConfig config = newConfig().withClock(new MutableClock());
        try (BankingApplication app = BankingApplication.open(config)) {
            create(app, "Alice", "100");          // v1 AccountCreated, v2 FundsDeposited
            create(app, "Bobby", "50");
            for (int i = 0; i < 98; i++) accept(app, new DepositFunds(ALICE, new BigDecimal("1"), null)); // v100
            for (int i = 0; i < 3; i++) accept(app, new DepositFunds(ALICE, new BigDecimal("1"), null));  // v103
        }
        try (BankingApplication app = BankingApplication.open(config)) {
            JdbcDatabase db = app.database();
            List<String> snap = snapshotRow(db, ALICE).orElseThrow(() -> new AssertionError("no snapshot at v100"));
            assertThat(snap.get(0)).isEqualTo("100");
            String fingerprint = snap.get(2);
            String state = snap.get(3);
            assertThat(state).contains("\"balance\":\"198.00\"");
            if (fault == SnapshotFault.NOT_JSON && !storesInvalidJsonText()) {
                assertThatThrownBy(() -> update(db, "UPDATE jangle_snapshots SET state = " + json(db)
                        + " WHERE aggregate_id = ?", "{\"exists\":tru", ALICE)).isInstanceOf(SQLException.class);
                return;
            }
            String newState = switch (fault) {
                case OLD_FINGERPRINT -> state.replace("\"balance\":\"198.00\"", "\"balance\":\"999999.00\"")
                        .replace("\"forgivenessCount\"", "\"debtForgivenCount\"");
                case OLD_SHAPE_SAME_FINGERPRINT -> state.replaceFirst(",?\"forgivenessCount\":[0-9]+", "");
                case NOT_JSON -> "{\"exists\":tru";
            };
            String newFingerprint = fault == SnapshotFault.OLD_FINGERPRINT ? "0123456789abcdef01234567" : fingerprint;
            try {
                update(db, "UPDATE jangle_snapshots SET fingerprint = ?, state = " + json(db)
                        + " WHERE aggregate_id = ?", newFingerprint, newState, ALICE);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            List<List<String>> eventsBefore = events(db);
            app.start();

            // the command goes on, decided on the state the events give (198 + 3 = 201), not the snapshot's
            CommandResponse r = accept(app, new WithdrawFunds(ALICE, new BigDecimal("1"), null));
            EventRecord<?> last;
            try (var s = app.jangle().stores().events().read(ALICE, 103)) {
                last = s.toList().getFirst();
            }
            assertThat(last.version()).isEqualTo(104);
            assertThat(last.event()).isInstanceOfSatisfying(jangle.banking.FundsWithdrawn.class,
                    w -> assertThat(w.balance()).isEqualByComparingTo("200.00"));
            assertThat(app.jangle().query(new AccountSummary(ALICE), r.token(), WAIT))
                    .map(AccountSummaryView::balance).contains(new BigDecimal("200.00"));
            assertThat(snapshotRow(db, ALICE)).as("the bad snapshot was deleted").isEmpty();
            // other aggregates and the rest of the application are unaffected
            CommandResponse bob = accept(app, new DepositFunds(BOB, new BigDecimal("1"), null));
            assertThat(app.jangle().query(new AccountSummary(BOB), bob.token(), WAIT))
                    .map(AccountSummaryView::balance).contains(new BigDecimal("51.00"));
            assertThat(app.jangle().operations().pending(null, 10)).isEmpty();
            assertThat(app.jangle().operations().deadLetters(null, 10)).isEmpty();
            assertThat(app.verifyReplay(7L)).isEmpty();
            assertThat(events(db).subList(0, eventsBefore.size())).isEqualTo(eventsBefore);
            // 96 more commands reach version 200: a fresh snapshot is taken and used
            for (int i = 0; i < 96; i++) accept(app, new DepositFunds(ALICE, new BigDecimal("1"), null));
            assertThat(snapshotRow(db, ALICE)).map(s -> s.get(0)).contains("200");
        }
    }

    // ------------------------------------------------------------------ sagas (case 4)

    @Test
    @Tag("D14")
    @Tag("SG3")
    @DisplayName("SG3, D14: a saga whose stored history holds an unknown event type fails its own deliveries by name; "
            + "other sagas finish")
    void unreadableSagaHistory() {
        MutableClock clock = new MutableClock();
        BankingConfig config = newConfig().withClock(clock);
        String txBad = "tx-bad-saga";
        String txGood = "tx-good-saga";
        try (BankingApplication app = BankingApplication.open(config)) {
            app.start();
            create(app, "Alice", "100");
            create(app, "Bobby", "50");
            create(app, "Carol", "10");
            settled(app, new Request(BOB, ALICE, new BigDecimal("5"), txBad));
            settled(app, new Request(CAROL, ALICE, new BigDecimal("4"), txGood));
        }
        String badSaga = RequestSaga.idOf(BOB, txBad);
        String goodSaga = RequestSaga.idOf(CAROL, txGood);
        try (BankingApplication app = BankingApplication.open(config)) {
            JdbcDatabase db = app.database();
            assertThat(sagaEventTypes(db, badSaga)).contains("RequestCreated");
            try {
                update(db, "UPDATE jangle_saga_events SET type = 'RequestTeleported' WHERE saga_id = ? "
                        + "AND type = 'RequestCreated'", badSaga);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            List<List<String>> eventsBefore = events(db);
            app.start();
            // the operator's saga list leaves the unreadable saga out and shows the others; reading it names the
            // stored type and the problem
            assertThat(app.jangle().operations().sagas(true, 100)).extracting(SagaState::sagaId)
                    .contains(goodSaga).doesNotContain(badSaga);
            assertThatThrownBy(() -> app.jangle().stores().sagas().get(badSaga))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("RequestTeleported")
                    .hasMessageContaining("unknown event type name");
            assertThat(app.jangle().stores().sagas().get(goodSaga)).map(SagaState::complete).contains(false);

            // approving the good request completes its saga: the money moves
            settled(app, new AcceptRequest(ALICE, txGood));
            assertThat(balances(app)).containsEntry(CAROL, "14.00").containsEntry(ALICE, "96.00");

            // approving the bad one commits the approval; the saga's delivery fails naming the saga and the type
            CommandResponse ok = accept(app, new AcceptRequest(ALICE, txBad));
            assertThat(ok.isAccepted()).isTrue();
            Delivery d = awaitFailed(app, "saga:" + RequestSaga.class.getSimpleName());
            assertThat(d.lastError()).startsWith(SerializationException.class.getName())
                    .contains(badSaga).contains("RequestTeleported").contains("unknown event type name");
            // no money moved for it; both daemons keep running, also once the bad saga's timeout is due
            clock.advance(Duration.ofMinutes(31));
            app.jangle().operations().runEventDaemonPass();
            assertThat(app.jangle().operations().runSagaDaemonPass()).as("the unreadable saga is not evaluated")
                    .isZero();
            assertThat(delivery(app, d.eventId(), d.handler()).attempts()).isEqualTo(d.attempts() + 1);
            assertThat(app.jangle().stores().sagas().get(goodSaga)).map(SagaState::complete).contains(true);
            assertThat(balances(app)).containsEntry(BOB, "50.00").containsEntry(ALICE, "96.00");
            CommandResponse dep = accept(app, new DepositFunds(CAROL, new BigDecimal("1"), null));
            assertThat(app.jangle().query(new AccountSummary(CAROL), dep.token(), WAIT))
                    .map(AccountSummaryView::balance).contains(new BigDecimal("15.00"));
            assertThat(events(db).subList(0, eventsBefore.size())).isEqualTo(eventsBefore);
        }
    }

    // ------------------------------------------------------------------ helpers

    static void create(BankingApplication app, String name, String deposit) {
        accept(app, new CreateAccount(name, new BigDecimal(deposit), null));
    }

    static CommandResponse accept(BankingApplication app, jangle.Command command) {
        CommandResponse r = app.jangle().send(command);
        assertThat(r.isAccepted()).as("%s accepted: %s", command, r).isTrue();
        return r;
    }

    static void settled(BankingApplication app, jangle.Command command) {
        UUID correlation = UUID.randomUUID();
        CommandResponse r = app.jangle().send(command, SendOptions.NONE.withCorrelationId(correlation));
        assertThat(r.isAccepted()).as("%s accepted: %s", command, r).isTrue();
        app.jangle().awaitSettled(correlation, WAIT);
    }

    static Map<String, String> balances(BankingApplication app) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (AccountListItem a : app.jangle().query(new AccountsList())) {
            out.put(a.accountId(), a.balance().setScale(2).toPlainString());
        }
        return out;
    }

    /** Waits (real time) until every segment of {@code processor} has reached {@code position} (parked or not). */
    static void awaitSegments(BankingApplication app, String processor, long position) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (app.jangle().operations().processors().stream()
                .anyMatch(st -> st.processor().equals(processor) && st.position() < position)) {
            if (System.nanoTime() > deadline) throw new AssertionError(processor + " did not reach " + position);
            Thread.sleep(20);
        }
    }

    /** Waits (real time) until the handler has a delivery with a recorded failure, and returns it. */
    static Delivery awaitFailed(BankingApplication app, String handler) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<Delivery> found = new ArrayList<>(app.jangle().operations().pending(handler, 100));
            found.addAll(app.jangle().operations().deadLetters(handler, 100));
            for (Delivery d : found) if (d.lastError() != null) return d;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no failed delivery for " + handler + " within " + WAIT);
    }

    static Delivery delivery(BankingApplication app, UUID eventId, String handler) {
        List<Delivery> all = new ArrayList<>(app.jangle().operations().pending(handler, 1000));
        all.addAll(app.jangle().operations().deadLetters(handler, 1000));
        return all.stream().filter(d -> d.eventId().equals(eventId)).findFirst()
                .orElseThrow(() -> new AssertionError("no delivery of " + eventId + " for " + handler));
    }

    /** One event row as stored. */
    record Row(long position, String eventId, String type, String payload) {
    }

    static Row eventRow(JdbcDatabase db, String aggregateId, long version) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT position, event_id, type, payload FROM jangle_events WHERE aggregate_id = ? AND version = ?")) {
                ps.setString(1, aggregateId);
                ps.setLong(2, version);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("event %s@%s", aggregateId, version).isTrue();
                    return new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
                }
            }
        });
    }

    /** Every column of every event row, as text, in position order. */
    static List<List<String>> events(JdbcDatabase db) {
        return rows(db, "SELECT position, event_id, aggregate_id, version, type, schema_version, created_at, "
                + "correlation_id, causation_id, metadata, payload FROM jangle_events ORDER BY position");
    }

    static Optional<List<String>> snapshotRow(JdbcDatabase db, String aggregateId) {
        List<List<String>> rows = rows(db, "SELECT version, position, fingerprint, state FROM jangle_snapshots "
                + "WHERE aggregate_id = '" + aggregateId + "'");
        return rows.stream().findFirst();
    }

    static List<String> sagaEventTypes(JdbcDatabase db, String sagaId) {
        return rows(db, "SELECT type FROM jangle_saga_events WHERE saga_id = '" + sagaId
                + "' ORDER BY saga_version, seq").stream().map(List::getFirst).toList();
    }

    static List<List<String>> rows(JdbcDatabase db, String sql) {
        return db.read(c -> {
            List<List<String>> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) row.add(rs.getString(i));
                    out.add(row);
                }
            }
            return out;
        });
    }

    static void update(JdbcDatabase db, String sql, Object... args) throws SQLException {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
                    assertThat(ps.executeUpdate()).as("rows changed by %s", sql).isPositive();
                }
                return null;
            });
        } catch (RuntimeException e) {
            if (e.getCause() instanceof SQLException sql2) throw sql2;
            throw e;
        }
    }

    /** The placeholder for a JSON value: PostgreSQL's json columns take text only through a cast. */
    static String json(JdbcDatabase db) {
        return db.dialect() == SqlDialect.POSTGRESQL ? "CAST(? AS json)" : "?";
    }
}
