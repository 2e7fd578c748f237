package jangle.banking;

import java.math.BigDecimal;

/** On the funding account: a transfer's debit was given back (B21). */
public record TransferDebitRolledBack(String fundingAccountId, BigDecimal amount, BigDecimal balance,
                                      String transactionId) implements BankEvent {
    public TransferDebitRolledBack {
        Fields.accountId("fundingAccountId", fundingAccountId);
        Fields.required("amount", amount);
        Fields.required("balance", balance);
        Fields.transactionId(transactionId);
    }
}
