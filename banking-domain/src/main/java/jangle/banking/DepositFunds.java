package jangle.banking;

import java.math.BigDecimal;

/** Puts money into an account (B6). The transaction id is generated when null. */
public record DepositFunds(String accountId, BigDecimal amount, String transactionId) implements BankCommand {
    public DepositFunds {
        accountId = Fields.accountId("accountId", accountId);
        amount = Fields.amount("amount", amount);
        transactionId = Fields.transactionIdOrNew(transactionId);
    }

    public DepositFunds(String accountId, BigDecimal amount) {
        this(accountId, amount, null);
    }

    @Override
    public String aggregateId() {
        return accountId;
    }
}
