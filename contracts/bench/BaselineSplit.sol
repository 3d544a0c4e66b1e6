// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title BaselineSplit
/// @author Permanent Press
/// @notice Gas baseline only: the other way to share an edition's proceeds, a split contract named as
///         its funding recipient (as 0xSplits does, without its registry). It takes the edition's
///         payment and, on a second call, pays its two payees. `scripts/bench-gas.ts` compiles and
///         deploys it to compare against the edition's own split; it is never deployed anywhere else.
contract BaselineSplit {
    uint256 private constant BPS = 10_000;
    /// @notice The first payee (the writer): the remainder.
    address public immutable WRITER;
    /// @notice The second payee (the publication): its share, rounded down.
    address public immutable PUBLICATION;
    /// @notice The publication's share in basis points.
    uint256 public immutable SHARE_BPS;

    /// @notice A payee refused its payment.
    /// @param to The payee.
    error TransferFailed(address to);

    /// @notice A split of proceeds between `writer` and `publication`.
    /// @param writer The writer.
    /// @param publication The publication.
    /// @param shareBps The publication's share.
    constructor(address writer, address publication, uint256 shareBps) {
        WRITER = writer;
        PUBLICATION = publication;
        SHARE_BPS = shareBps;
    }

    /// @notice Takes proceeds.
    receive() external payable {}

    /// @notice Pays out everything held.
    function distribute() external {
        uint256 held = address(this).balance;
        uint256 share = (held * SHARE_BPS) / BPS;
        _send(PUBLICATION, share);
        _send(WRITER, held - share);
    }

    function _send(address to, uint256 amount) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to);
    }
}
