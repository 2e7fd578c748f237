package jangle.banking;

import jangle.InvalidMessageException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.function.Executable;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;

import static jangle.banking.Spec.m;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** banking.md §2 (field rules, exact messages), §3 (extra construction rules), M2, M4, M5; §12 bugs 10 and 11. */
class FieldsTest {
    private static final String ACCOUNT_MSG = " must be an account number: 6 digits such as 000042, or more digits "
            + "without a leading zero";
    private static final String TX_MSG =
            "transactionId must be 1 to 50 characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'";

    private static void fails(Executable construction, String field, String message) {
        assertThatThrownBy(construction::execute)
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((InvalidMessageException) e).field()).isEqualTo(field));
    }

    // ---- account id

    static Stream<Arguments> badAccountIds() {
        return Stream.of(
                Arguments.of(null, "accountId is required"),
                Arguments.of("", "accountId" + ACCOUNT_MSG),
                Arguments.of("12345", "accountId" + ACCOUNT_MSG),
                Arguments.of("SOMEID", "accountId" + ACCOUNT_MSG),       // any 6 characters used to pass (bug 10)
                Arguments.of("00001a", "accountId" + ACCOUNT_MSG),
                Arguments.of(" 000001", "accountId" + ACCOUNT_MSG),
                Arguments.of("0000001", "accountId" + ACCOUNT_MSG),      // 7 digits with a leading zero
                Arguments.of("１２３４５６", "accountId" + ACCOUNT_MSG),     // non-ASCII digits
                Arguments.of("1234567890123456789", "accountId" + ACCOUNT_MSG)); // 19 digits
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badAccountIds")
    @DisplayName("§2 account id: required, then 6 digits or 7-18 digits without a leading zero (§12 bug 10)")
    void badAccountId(String id, String message) {
        fails(() -> new DepositFunds(id, m("1")), "accountId", message);
        fails(() -> Fields.accountId("accountId", id), "accountId", message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"000001", "999999", "000000", "1000000", "123456789012345678"})
    @DisplayName("§2 account id: 6 digits, or 7 to 18 digits without a leading zero, are accepted")
    void goodAccountIds(String id) {
        assertThat(Fields.accountId("accountId", id)).isEqualTo(id);
        assertThat(new DeleteAccount(id).aggregateId()).isEqualTo(id);
    }

    @Test
    @DisplayName("§2 account id: the message names the field it checks")
    void accountFieldNames() {
        fails(() -> new Transfer("x", "000002", m("1")), "fundingAccountId", "fundingAccountId" + ACCOUNT_MSG);
        fails(() -> new Transfer("000001", null, m("1")), "fundedAccountId", "fundedAccountId is required");
        fails(() -> new Request("000001", "abc", m("1")), "fundingAccountId", "fundingAccountId" + ACCOUNT_MSG);
        fails(() -> new AcceptRequest("1", "tx"), "fundingAccountId", "fundingAccountId" + ACCOUNT_MSG);
        fails(() -> new CreditRequest("1", "tx"), "fundedAccountId", "fundedAccountId" + ACCOUNT_MSG);
    }

    // ---- name

    static Stream<Arguments> badNames() {
        return Stream.of(
                Arguments.of(null, "name is required"),
                Arguments.of("", "name must be 5 to 15 characters long"),
                Arguments.of("Bob", "name must be 5 to 15 characters long"),
                Arguments.of("   Bob    ", "name must be 5 to 15 characters long"), // stripped first
                Arguments.of("Sixteen chars!!!", "name must be 5 to 15 characters long"),
                Arguments.of("Bob\tSmith", "name must not contain control characters"),
                Arguments.of("Bob\u0000Smith", "name must not contain control characters"),
                Arguments.of("Bob\u2028Smith", "name must not contain control characters"), // Zl
                Arguments.of("Bob\u2029Smith", "name must not contain control characters"), // Zp
                Arguments.of("Ab\u0007", "name must not contain control characters")); // control before length
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badNames")
    @DisplayName("§2 name: required, no control characters, 5 to 15 code points after NFC and strip")
    void badName(String name, String message) {
        fails(() -> new CreateAccount(name), "name", message);
        fails(() -> new ChangeAccountName("000001", name), "name", message);
    }

    @Test
    @DisplayName("§2 name: NFC-normalised and stripped; length counts code points; any script is allowed")
    void nameNormalised() {
        assertThat(new CreateAccount("  Natalie \n").name()).isEqualTo("Natalie");
        // "é" as e + combining acute becomes one code point
        assertThat(new CreateAccount("Rene\u0301e").name()).isEqualTo("Ren\u00e9e");
        assertThat(new CreateAccount("Zoë O'Neil-Ng").name()).isEqualTo("Zoë O'Neil-Ng");
        assertThat(new CreateAccount("山田太郎さん").name()).isEqualTo("山田太郎さん");
        // 5 code points, 10 UTF-16 chars (surrogate pairs): accepted
        assertThat(new CreateAccount("😀😀😀😀😀").name()).hasSize(10);
        fails(() -> new CreateAccount("😀😀😀😀"), "name", "name must be 5 to 15 characters long");
        assertThat(new ChangeAccountName("000001", " Natalie Smith ").name()).isEqualTo("Natalie Smith");
    }

    // ---- amount

    static Stream<Arguments> badAmounts() {
        return Stream.of(
                Arguments.of(null, "amount is required"),
                Arguments.of("0", "amount must be greater than 0"),
                Arguments.of("0.00", "amount must be greater than 0"),
                Arguments.of("-5", "amount must be greater than 0"),
                Arguments.of("0.001", "amount must have at most 2 decimal places"), // bug 11
                Arguments.of("10.555", "amount must have at most 2 decimal places"),
                Arguments.of("1000000.01", "amount must not exceed 1000000.00"),
                Arguments.of("1E+7", "amount must not exceed 1000000.00"),
                Arguments.of("-0.001", "amount must be greater than 0")); // positivity first
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badAmounts")
    @DisplayName("§2 amount: required, > 0, at most 2 decimals, at most 1000000.00 (§12 bug 11)")
    void badAmount(String amount, String message) {
        BigDecimal a = amount == null ? null : new BigDecimal(amount);
        fails(() -> new DepositFunds("000001", a), "amount", message);
        fails(() -> new WithdrawFunds("000001", a), "amount", message);
        fails(() -> new Transfer("000001", "000002", a), "amount", message);
        fails(() -> new Request("000001", "000002", a), "amount", message);
        fails(() -> new CreditTransfer("000001", "000002", a, "tx"), "amount", message);
        fails(() -> new RollbackTransferDebit("000001", a, "tx"), "amount", message);
    }

    @Test
    @DisplayName("§2 amount: initialDeposit is named in its messages and may be absent")
    void initialDeposit() {
        fails(() -> new CreateAccount("Natalie", m("0")), "initialDeposit", "initialDeposit must be greater than 0");
        fails(() -> new CreateAccount("Natalie", m("1.234")), "initialDeposit",
                "initialDeposit must have at most 2 decimal places");
        assertThat(new CreateAccount("Natalie").initialDeposit()).isNull();
        assertThat(new CreateAccount("Natalie", m("100")).initialDeposit()).isEqualTo(m("100.00"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "5.0", "10.500", "0.01", "1000000", "1000000.000", "1E+2"})
    @DisplayName("§2 amount: stored with scale exactly 2; trailing zeros beyond 2 places are fine")
    void amountScale(String amount) {
        BigDecimal stored = new DepositFunds("000001", new BigDecimal(amount)).amount();
        assertThat(stored.scale()).isEqualTo(2);
        assertThat(stored).isEqualByComparingTo(amount);
    }

    // ---- transaction id

    static Stream<Arguments> badTransactionIds() {
        return Stream.of(
                Arguments.of("", TX_MSG),
                Arguments.of("has space", TX_MSG),
                Arguments.of("semi;colon", TX_MSG),
                Arguments.of("é", TX_MSG),
                Arguments.of("x".repeat(51), TX_MSG));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badTransactionIds")
    @DisplayName("§2 transaction id: 1 to 50 characters from A-Z a-z 0-9 . _ : -")
    void badTransactionId(String tx, String message) {
        fails(() -> new DepositFunds("000001", m("1"), tx), "transactionId", message);
        fails(() -> new AcceptRequest("000001", tx), "transactionId", message);
        fails(() -> new DebitRequest("000001", tx), "transactionId", message);
    }

    @Test
    @DisplayName("§2 transaction id: required on commands that refer to an existing operation")
    void transactionIdRequired() {
        for (Executable e : new Executable[]{() -> new AcceptRequest("000001", null),
                () -> new RejectRequest("000001", null), () -> new DebitRequest("000001", null),
                () -> new CreditRequest("000001", null), () -> new RollbackRequestDebit("000001", null),
                () -> new NotifyRequestRejected("000001", "000002", null),
                () -> new CreditTransfer("000001", "000002", m("1"), null),
                () -> new RollbackTransferDebit("000001", m("1"), null),
                () -> new GetRequestApproval("000001", "000002", m("1"), null, Instant.EPOCH)}) {
            fails(e, "transactionId", "transactionId is required");
        }
        assertThatCode(() -> new DepositFunds("000001", m("1"), "A-z_0.9:" + "x".repeat(42)))
                .doesNotThrowAnyException();
    }

    @Test
    @Tag("A11")
    @DisplayName("§3, A11: user money commands generate a random UUID transaction id in the constructor")
    void generatedTransactionIds() {
        DepositFunds d = new DepositFunds("000001", m("5"));
        assertThat(UUID.fromString(d.transactionId()).version()).isEqualTo(4);
        assertThat(new DepositFunds("000001", m("5")).transactionId()).isNotEqualTo(d.transactionId());
        assertThat(new WithdrawFunds("000001", m("5")).transactionId()).isNotNull();
        assertThat(new Transfer("000001", "000002", m("5")).transactionId()).isNotNull();
        assertThat(new Request("000001", "000002", m("5")).transactionId()).isNotNull();
        assertThat(new ForgiveDebt("000001").transactionId()).isNotNull();
        assertThat(new CreateAccount("Natalie", m("1")).transactionId()).isNotNull();
        assertThat(new DepositFunds("000001", m("5"), "mine").transactionId()).isEqualTo("mine");
        // the record is a value: the same id is decided on again after a conflict
        assertThat(d).isEqualTo(new DepositFunds(d.accountId(), d.amount(), d.transactionId()));
    }

    @Test
    @DisplayName("§2 time: required (GetRequestApproval.timeoutAt)")
    void timeRequired() {
        fails(() -> new GetRequestApproval("000001", "000002", m("1"), "tx", null), "timeoutAt",
                "timeoutAt is required");
    }

    // ---- §3 extra rules

    @Test
    @DisplayName("§3: a transfer or credit to the same account, a request from it, are refused with the exact text")
    void sameAccount() {
        fails(() -> new Transfer("000001", "000001", m("1")), "fundedAccountId",
                "Cannot send funds to the same account.");
        fails(() -> new CreditTransfer("000001", "000001", m("1"), "tx"), "fundedAccountId",
                "Cannot send funds to the same account.");
        fails(() -> new Request("000001", "000001", m("1")), "fundingAccountId",
                "Cannot request funds from the same account.");
        fails(() -> new GetRequestApproval("000001", "000001", m("1"), "tx", Instant.EPOCH), "fundingAccountId",
                "Cannot request funds from the same account.");
    }

    @Test
    @Tag("M1")
    @DisplayName("M1, §3: each command names the aggregate that decides it")
    void routing() {
        assertThat(new CreateAccount("Natalie").aggregateId()).isEqualTo("ACCOUNT_CREATION_AGGREGATE");
        assertThat(new Transfer("000001", "000002", m("1")).aggregateId()).isEqualTo("000001");
        assertThat(new Request("000001", "000002", m("1")).aggregateId()).isEqualTo("000001");
        assertThat(new AcceptRequest("000002", "tx").aggregateId()).isEqualTo("000002");
        assertThat(new RejectRequest("000002", "tx").aggregateId()).isEqualTo("000002");
        assertThat(new GetRequestApproval("000001", "000002", m("1"), "tx", Instant.EPOCH).aggregateId())
                .isEqualTo("000002");
        assertThat(new NotifyRequestRejected("000001", "000002", "tx").aggregateId()).isEqualTo("000001");
        assertThat(new DebitRequest("000002", "tx").aggregateId()).isEqualTo("000002");
        assertThat(new CreditRequest("000001", "tx").aggregateId()).isEqualTo("000001");
        assertThat(new RollbackRequestDebit("000002", "tx").aggregateId()).isEqualTo("000002");
        assertThat(new CreditTransfer("000001", "000002", m("1"), "tx").aggregateId()).isEqualTo("000002");
        assertThat(new RollbackTransferDebit("000001", m("1"), "tx").aggregateId()).isEqualTo("000001");
        assertThat(new ChangeAccountName("000003", "Natalie").aggregateId()).isEqualTo("000003");
        assertThat(new ForgiveDebt("000003").aggregateId()).isEqualTo("000003");
    }

    // ---- M4 events, M5 queries

    @Test
    @Tag("M4")
    @DisplayName("M4: events check structure only: required fields and well-formed ids, no business rules")
    void eventStructure() {
        fails(() -> new FundsDeposited(null, m("1.00"), m("1.00"), "tx"), "accountId", "accountId is required");
        fails(() -> new FundsDeposited("000001", null, m("1.00"), "tx"), "amount", "amount is required");
        fails(() -> new TransferDebited("000001", "SOMEID", m("1.00"), m("1.00"), "tx"), "fundedAccountId",
                "fundedAccountId" + ACCOUNT_MSG);
        fails(() -> new RequestCreated("000001", "000002", m("1.00"), "tx", null), "timeoutAt",
                "timeoutAt is required");
        fails(() -> new DebitRequestCommandFailed(null), "reason", "reason is required");
        // business rules are not re-checked: an old event stays readable if a rule becomes stricter
        assertThatCode(() -> new FundsWithdrawn("000001", m("5000000.00"), m("-4999999.999"), "tx"))
                .doesNotThrowAnyException();
        assertThatCode(() -> new AccountCreated("000001", "A")).doesNotThrowAnyException();
    }

    @Test
    @Tag("M5")
    @DisplayName("M5: queries validate on construction (account id rule)")
    void queries() {
        fails(() -> new AccountSummary("abc"), "accountId", "accountId" + ACCOUNT_MSG);
        fails(() -> new AccountLedger(null), "accountId", "accountId is required");
        assertThat(new AccountLedger("000001").accountId()).isEqualTo("000001");
        assertThat(new AccountsList()).isEqualTo(new AccountsList());
        assertThat(new BankStats()).isEqualTo(new BankStats());
    }
}
