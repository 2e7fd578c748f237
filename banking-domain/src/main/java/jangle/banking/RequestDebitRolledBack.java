package jangle.banking;

import java.math.BigDecimal;

/** On the funding account: a request's debit was given back because the credit failed (B18). */
public record RequestDebitRolledBack(String fundingAccountId, String fundedAccountId, BigDecimal amount,
                                     BigDecimal balance, String transactionId) implements BankEvent {
    public RequestDebitRolledBack {
        Fields.accountId("fundingAccountId", fundingAccountId);
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.required("amount", amount);
        Fields.required("balance", balance);
        Fields.transactionId(transactionId);
    }
}
