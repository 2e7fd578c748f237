package jangle.banking;

/** Bank-wide figures (banking.md §9). */
public record BankStats() implements BankQuery<BankStatistics> {
}
