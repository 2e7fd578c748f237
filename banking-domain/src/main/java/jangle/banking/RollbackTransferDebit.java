package jangle.banking;

import java.math.BigDecimal;

/** System compensation (transfer mediator, step 2): gives a transfer's debit back (B21, B25). */
public record RollbackTransferDebit(String fundingAccountId, BigDecimal amount, String transactionId)
        implements BankCommand {
    public RollbackTransferDebit {
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        amount = Fields.amount("amount", amount);
        transactionId = Fields.transactionId(transactionId);
    }

    @Override
    public String aggregateId() {
        return fundingAccountId;
    }
}
