package jangle.banking.app.cli;

import jangle.SendOptions;
import jangle.banking.*;
import jangle.banking.app.*;
import jangle.spi.DeliveryStatus;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;
import java.time.Duration;

class ScratchDebugTest {
    @Test
    void debug() throws Exception {
        Path f = Path.of("/tmp/h7/scratch/dbg-" + System.nanoTime() + ".db");
        try (var app = BankingApplication.open(BankingConfig.sqlite(f))) {
            app.start();
            var r = app.jangle().send(new CreateAccount("Natalie", null, null), SendOptions.NONE);
            System.out.println("response " + r);
            var ledger = app.jangle().stores().events().ledger();
            System.out.println("pending " + ledger.list(DeliveryStatus.PENDING, null, 100));
            app.jangle().awaitHandled(r.token(), Duration.ofSeconds(2), "bank-views");
            System.out.println("after wait pending " + ledger.list(DeliveryStatus.PENDING, null, 100));
            System.out.println("list " + app.jangle().query(new AccountsList()));
            Thread.sleep(500);
            System.out.println("list later " + app.jangle().query(new AccountsList()));
            System.out.println("feed " + app.jangle().stores().events().readFeed(0, 10));
        }
    }
}
