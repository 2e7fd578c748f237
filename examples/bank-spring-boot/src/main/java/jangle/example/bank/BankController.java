package jangle.example.bank;

import jangle.CommandResponse;
import jangle.Jangle;
import jangle.banking.CreateAccount;
import jangle.banking.DepositFunds;
import jangle.banking.Transfer;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The bank over HTTP. Commands answer {@code 200}/{@code 201} when accepted, {@code 422} with the reason when the
 * bank refuses (a value, §18), {@code 400} naming the field when the request is malformed. Reads come from the
 * {@code example-balances} projection, which catches up with a command within moments (eventual consistency; the
 * {@code ETag} of a command's answer says which version it produced).
 */
@RestController
public class BankController {
    private final Jangle jangle;

    public BankController(Jangle jangle) {
        this.jangle = jangle;
    }

    /** Body of {@code POST /accounts}; {@code transactionId} makes a retry idempotent (new one when absent). */
    public record OpenAccount(String name, BigDecimal initialDeposit, String transactionId) {
    }

    /** Body of {@code POST /accounts/{id}/deposits}. */
    public record Deposit(BigDecimal amount, String transactionId) {
    }

    /** Body of {@code POST /transfers}. */
    public record Send(String from, String to, BigDecimal amount, String transactionId) {
    }

    @PostMapping("/accounts")
    public ResponseEntity<?> open(@RequestBody OpenAccount body) {
        CommandResponse r = jangle.send(new CreateAccount(body.name(), body.initialDeposit(), tx(body.transactionId())));
        return answer(r, HttpStatus.CREATED);
    }

    @PostMapping("/accounts/{accountId}/deposits")
    public ResponseEntity<?> deposit(@PathVariable String accountId, @RequestBody Deposit body) {
        return answer(jangle.send(new DepositFunds(accountId, body.amount(), tx(body.transactionId()))), HttpStatus.OK);
    }

    @PostMapping("/transfers")
    public ResponseEntity<?> send(@RequestBody Send body) {
        CommandResponse r = jangle.send(new Transfer(body.from(), body.to(), body.amount(), tx(body.transactionId())));
        return answer(r, HttpStatus.ACCEPTED); // debited now; the mediator credits the other account next
    }

    @GetMapping("/accounts")
    public List<AccountBalances.Account> accounts() {
        return jangle.query(new ListAccounts());
    }

    @GetMapping("/accounts/{accountId}")
    public ResponseEntity<AccountBalances.Account> account(@PathVariable String accountId) {
        return ResponseEntity.of(jangle.query(new GetAccount(accountId)));
    }

    /** A command record refused its fields (they validate themselves): the field and the rule, nothing committed. */
    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<Map<String, String>> malformed(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(Map.of("error", String.valueOf(e.getMessage())));
    }

    private static ResponseEntity<?> answer(CommandResponse r, HttpStatus status) {
        return switch (r) {
            case CommandResponse.Rejected rejected ->
                    ResponseEntity.unprocessableContent().body(Map.of("rejected", rejected.reason()));
            case CommandResponse.Accepted accepted -> {
                var builder = ResponseEntity.status(status);
                if (accepted.token() != null) builder.eTag(accepted.token().entityTag());
                yield builder.body(accepted.data() == null ? Map.of()
                        : Map.of("accountId", String.valueOf(accepted.data())));
            }
        };
    }

    private static String tx(String given) {
        return given != null ? given : UUID.randomUUID().toString();
    }
}
