package jangle.banking;

import java.math.BigDecimal;

/**
 * "Send funds": the funding account pushes money to another account (B8). Decided by the funding account alone;
 * the {@link TransferMediator} then credits the funded account or rolls the debit back. The transaction id is
 * generated when null.
 */
public record Transfer(String fundingAccountId, String fundedAccountId, BigDecimal amount, String transactionId)
        implements BankCommand {
    public Transfer {
        fundingAccountId = Fields.accountId("fundingAccountId", fundingAccountId);
        fundedAccountId = Fields.accountId("fundedAccountId", fundedAccountId);
        amount = Fields.amount("amount", amount);
        transactionId = Fields.transactionIdOrNew(transactionId);
        Fields.differ("fundedAccountId", fundingAccountId, fundedAccountId, Fields.SAME_ACCOUNT_SEND);
    }

    public Transfer(String fundingAccountId, String fundedAccountId, BigDecimal amount) {
        this(fundingAccountId, fundedAccountId, amount, null);
    }

    @Override
    public String aggregateId() {
        return fundingAccountId;
    }
}
