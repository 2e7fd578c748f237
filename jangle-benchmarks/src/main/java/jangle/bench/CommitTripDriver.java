package jangle.bench;

import jangle.Jangle;
import jangle.spi.Checkpoints;
import jangle.spi.Completion;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What sending a processor's checkpoint advance with its COMMIT saves on PostgreSQL (schema 4): one connection, one
 * processor segment, the same advance done three ways in alternating rounds, side by side in one process on one
 * server. Not JMH (a few fixed phases): a load driver that prints its figures.
 * <ul>
 *   <li>{@code two trips}: the fenced UPDATE, its row count read, then {@code commit()} (the path before schema 4);</li>
 *   <li>{@code one trip}: {@code SELECT jangle_advance_checkpoint(...); COMMIT} as one text (what the store sends);</li>
 *   <li>{@code store}: {@code Checkpoints.commit} with the advance alone, through the pool, as a projection's empty
 *   batch or a flush does.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp jangle-benchmarks.jar jangle.bench.CommitTripDriver [store] [commits] [rounds]}, store
 * {@code pg-sync} (the default), {@code pg-async} or {@code pg-nofsync}; defaults 3,000 commits a phase, 5 rounds.
 * Bad arguments are refused by name.
 */
public final class CommitTripDriver {
    private static final String PROCESSOR = "bench";
    private static final String NODE = "n1";

    private CommitTripDriver() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "pg-sync";
        int commits = args.length > 1 ? DriverArgs.positive("commits", args[1]) : 3_000;
        int rounds = args.length > 2 ? DriverArgs.positive("rounds", args[2]) : 5;
        DriverArgs.postgresKind(kind);
        try (BenchStore store = BenchStore.open(kind);
             Jangle jangle = store.configure(Jangle.builder().environment(Map.of()))
                     .commands(LongAccount.Cmd.class).events(LongAccount.Evt.class)
                     .aggregate(LongAccount.class, id -> new LongAccount(id, 0)).build();
             Connection c = store.rawConnection()) {
            System.out.println("[store] " + store.durability() + "; " + commits + " commits a phase, " + rounds
                    + " rounds, one connection");
            Checkpoints checkpoints = jangle.stores().events().checkpoints();
            checkpoints.register(PROCESSOR, 1, Checkpoints.Start.BEGINNING);
            checkpoints.claim(PROCESSOR, NODE, Instant.now(), Duration.ofHours(1), 1);
            PreparedStatement twoTrips = c.prepareStatement(store.rawSql("trip.advance"));
            PreparedStatement oneTrip = c.prepareStatement(store.rawSql("trip.advanceAndCommit"));
            long position = 0;
            double[] sums = new double[3];
            for (int round = 1; round <= rounds; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < commits; i++) {
                    bind(twoTrips, ++position);
                    if (twoTrips.executeUpdate() != 1) throw new IllegalStateException("the segment is not held");
                    c.commit();
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < commits; i++) {
                    bind(oneTrip, ++position);
                    oneTrip.execute();
                    c.commit(); // as the store's write does: no transaction is open, so nothing is sent
                }
                long t2 = System.nanoTime();
                for (int i = 0; i < commits; i++) {
                    checkpoints.commit(List.of(new Completion.Advance(PROCESSOR, 0, ++position, NODE)), List.of(),
                            Checkpoints.Work.NONE);
                }
                long t3 = System.nanoTime();
                double[] us = {(t1 - t0) / 1e3 / commits, (t2 - t1) / 1e3 / commits, (t3 - t2) / 1e3 / commits};
                for (int k = 0; k < 3; k++) sums[k] += us[k];
                System.out.printf("round %d: two trips %7.1f us   one trip %7.1f us (%.2f x)   store %7.1f us (%.2f x)%n",
                        round, us[0], us[1], us[1] / us[0], us[2], us[2] / us[0]);
            }
            long stored = checkpoints.all().getFirst().position();
            if (stored != position) throw new IllegalStateException("checkpoint at " + stored + ", expected " + position);
            System.out.printf("mean:    two trips %7.1f us   one trip %7.1f us (%.2f x)   store %7.1f us (%.2f x)%n",
                    sums[0] / rounds, sums[1] / rounds, sums[1] / sums[0], sums[2] / rounds, sums[2] / sums[0]);
        }
    }

    private static void bind(PreparedStatement ps, long position) throws SQLException {
        ps.setLong(1, position);
        ps.setTimestamp(2, Timestamp.from(Instant.now()));
        ps.setString(3, PROCESSOR);
        ps.setInt(4, 0);
        ps.setString(5, NODE);
    }
}
