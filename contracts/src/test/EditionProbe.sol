// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WritingEditions} from "../WritingEditions.sol";

/// @title EditionProbe
/// @author Permanent Press
/// @notice Test helper that reads everything observable about an edition in one call, through the
///         edition's public functions only, so a property test can compare the whole state with its model
///         after every step. Never deployed outside tests.
contract EditionProbe {
    /// @notice An edition's observable state.
    /// @param supply `totalSupply()`.
    /// @param limit `limit()`.
    /// @param feeBps `feeBps()`.
    /// @param balance The edition's ether balance.
    /// @param fundingCredit First value of `pendingPayments()`.
    /// @param platformCredit Second value of `pendingPayments()`.
    /// @param referralCredits Third value of `pendingPayments()`.
    /// @param fundingRecipient `fundingRecipient()`.
    /// @param limitFrozen `limitFrozen()`.
    /// @param pastEndIsNonexistent Whether `ownerOf(supply + 1)` reverts.
    /// @param owners `ownerOf(id)` for ids 1 to `supply`.
    /// @param approved `getApproved(id)` for ids 1 to `supply`.
    /// @param balances `balanceOf(holder)` for each holder asked about.
    /// @param operators `isApprovedForAll(approvers[i], approvers[j])` at index `i * approvers.length + j`.
    /// @param referralCreditOf `referralCredit(referrer)` for each referrer asked about.
    struct State {
        uint256 supply;
        uint256 limit;
        uint256 feeBps;
        uint256 balance;
        uint256 fundingCredit;
        uint256 platformCredit;
        uint256 referralCredits;
        address fundingRecipient;
        bool limitFrozen;
        bool pastEndIsNonexistent;
        address[] owners;
        address[] approved;
        uint256[] balances;
        bool[] operators;
        uint256[] referralCreditOf;
    }

    /// @notice Reads `edition`'s state.
    /// @param edition The edition.
    /// @param holders Addresses whose token balances to read.
    /// @param approvers Addresses whose operator approvals of one another to read.
    /// @param referrers Addresses whose referral credits to read.
    /// @return state The state.
    function inspect(
        WritingEditions edition,
        address[] calldata holders,
        address[] calldata approvers,
        address[] calldata referrers
    ) external view returns (State memory state) {
        state.supply = edition.totalSupply();
        state.limit = edition.limit();
        state.limitFrozen = edition.limitFrozen();
        state.feeBps = edition.feeBps();
        state.fundingRecipient = edition.fundingRecipient();
        state.balance = address(edition).balance;
        (state.fundingCredit, state.platformCredit, state.referralCredits) = edition.pendingPayments();
        state.pastEndIsNonexistent = _ownerOfReverts(edition, state.supply + 1);
        state.owners = new address[](state.supply);
        state.approved = new address[](state.supply);
        for (uint256 i = 0; i < state.supply; ++i) {
            state.owners[i] = edition.ownerOf(i + 1);
            state.approved[i] = edition.getApproved(i + 1);
        }
        state.balances = new uint256[](holders.length);
        for (uint256 i = 0; i < holders.length; ++i) {
            state.balances[i] = edition.balanceOf(holders[i]);
        }
        uint256 count = approvers.length;
        state.operators = new bool[](count * count);
        for (uint256 i = 0; i < count; ++i) {
            for (uint256 j = 0; j < count; ++j) {
                state.operators[i * count + j] = edition.isApprovedForAll(approvers[i], approvers[j]);
            }
        }
        state.referralCreditOf = new uint256[](referrers.length);
        for (uint256 i = 0; i < referrers.length; ++i) {
            state.referralCreditOf[i] = edition.referralCredit(referrers[i]);
        }
    }

    /// @notice Ether balances of `accounts`.
    /// @param accounts The addresses.
    /// @return balances Their balances in wei, in the same order.
    function etherBalances(address[] calldata accounts) external view returns (uint256[] memory balances) {
        balances = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            balances[i] = accounts[i].balance;
        }
    }

    function _ownerOfReverts(WritingEditions edition, uint256 tokenId) private view returns (bool) {
        try edition.ownerOf(tokenId) returns (address) {
            return false;
        } catch {
            return true;
        }
    }
}
