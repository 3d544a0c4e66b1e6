// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title BaselineEdition
/// @author Permanent Press
/// @notice Gas baseline only: a paid mint written the ordinary way (OpenZeppelin ERC-721, a price
///         check, a counter, proceeds pulled by the owner). `scripts/bench-gas.ts` compiles and
///         deploys it next to the real factory; it is never deployed anywhere else.
contract BaselineEdition is ERC721, Ownable {
    /// @notice Price of one token in wei.
    uint256 public immutable PRICE;
    /// @notice Tokens minted so far.
    uint256 public totalSupply;

    /// @notice The value sent is not the price.
    /// @param expected The price.
    /// @param sent The value sent.
    error IncorrectPayment(uint256 expected, uint256 sent);
    /// @notice The owner refused the proceeds.
    error WithdrawFailed();

    /// @notice Deploys the baseline.
    /// @param price_ Price of one token in wei.
    constructor(uint256 price_) ERC721("Baseline", "BASE") Ownable(msg.sender) {
        PRICE = price_;
    }

    /// @notice Mints the next token to `to` for exactly the price.
    /// @param to Recipient.
    /// @return tokenId The minted token id.
    function purchase(address to) external payable returns (uint256 tokenId) {
        if (msg.value != PRICE) revert IncorrectPayment(PRICE, msg.value);
        tokenId = ++totalSupply;
        _mint(to, tokenId);
    }

    /// @notice Sends the proceeds to the owner.
    function withdraw() external {
        (bool ok, ) = owner().call{value: address(this).balance}("");
        if (!ok) revert WithdrawFailed();
    }
}
