package jangle.banking;

import java.util.List;

/** The live accounts, ordered by account number (shorter ids first, then by text), with their pending requests. */
public record AccountsList() implements BankQuery<List<AccountListItem>> {
}
