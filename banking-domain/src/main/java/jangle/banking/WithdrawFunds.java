package jangle.banking;

import java.math.BigDecimal;

/** Takes money out of an account, down to the floor of −100.00 (B7). The transaction id is generated when null. */
public record WithdrawFunds(String accountId, BigDecimal amount, String transactionId) implements BankCommand {
    public WithdrawFunds {
        accountId = Fields.accountId("accountId", accountId);
        amount = Fields.amount("amount", amount);
        transactionId = Fields.transactionIdOrNew(transactionId);
    }

    public WithdrawFunds(String accountId, BigDecimal amount) {
        this(accountId, amount, null);
    }

    @Override
    public String aggregateId() {
        return accountId;
    }
}
