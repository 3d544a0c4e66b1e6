// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {EditionArgs} from "./EditionArgs.sol";
import {EditionERC721} from "./EditionERC721.sol";
import {IWritingEditionsFactory} from "./IWritingEditionsFactory.sol";

/// @title WritingEditions
/// @author Permanent Press
/// @notice One essay's collectible editions: an ERC-721 with EIP-2981 royalties whose tokens share the
///         essay's Arweave metadata. Each edition is an EIP-1167 clone created by
///         {WritingEditionsFactory}; its terms live in the clone's immutable arguments ({EditionArgs}).
/// @dev Storage per sale: the token's owner slot, the buyer's balance slot and one packed supply slot.
///      Proceeds are the contract's balance; the platform fee is split off at withdrawal.
contract WritingEditions is EditionERC721, IERC2981, ReentrancyGuardTransient {
    /// @notice Who a payment is for.
    enum Payee {
        Funding,
        Platform
    }

    /// @dev One slot: payments that could not be sent and wait for {withdraw} or {claim}.
    struct Credits {
        uint128 funding;
        uint128 platform;
    }

    uint256 private constant BPS = 10_000;
    /// @dev `_supply` packs, low to high: 64 bits tokens minted, 64 bits the author's limit (0 = not
    ///      set, the clone's initial limit applies; a set limit is never 0), 1 bit "limit frozen". One
    ///      word, so a sale reads and writes one slot.
    uint256 private constant MINTED_MASK = type(uint64).max;
    uint256 private constant LIMIT_SHIFT = 64;
    uint256 private constant LIMIT_FROZEN = 1 << 128;
    /// @dev Enough for smart-wallet `receive` hooks; bounded so that one recipient cannot burn the gas
    ///      the other recipient's payment needs. A recipient that needs more is credited and can {claim}.
    uint256 private constant PAYOUT_GAS = 100_000;

    address private immutable FACTORY;
    address private immutable IMPLEMENTATION;

    uint256 private _supply;
    Credits private _credits;

    /// @notice A token was sold.
    /// @param tokenId The minted token.
    /// @param recipient Who received it.
    /// @param price The price paid in wei.
    /// @param message The buyer's note to the author.
    event Purchased(uint256 indexed tokenId, address indexed recipient, uint256 price, string message);

    /// @notice The author lowered the supply limit.
    /// @param previousLimit The limit before (0 = open).
    /// @param newLimit The new limit.
    event LimitChanged(uint256 indexed previousLimit, uint256 indexed newLimit);

    /// @notice The author froze the supply limit; it can no longer change.
    /// @param limit The final limit (0 = open forever).
    event LimitFrozen(uint256 indexed limit);

    /// @notice A payment left the edition.
    /// @param payee Whose share it was.
    /// @param recipient The address paid.
    /// @param amount Wei paid.
    event Withdrawn(Payee indexed payee, address indexed recipient, uint256 amount);

    /// @notice A payment could not be sent; it stays in the edition, credited to its payee.
    /// @param payee Whose share it is.
    /// @param recipient The address that refused it.
    /// @param amount Wei credited.
    event PaymentDeferred(Payee indexed payee, address indexed recipient, uint256 amount);

    /// @notice The value sent is not the price.
    /// @param expected The price in wei.
    /// @param sent The value sent.
    error IncorrectPayment(uint256 expected, uint256 sent);
    /// @notice Every token allowed by the limit has been minted.
    /// @param limit The supply limit.
    error SoldOut(uint256 limit);
    /// @notice Only the author may do this.
    /// @param caller The rejected caller.
    error Unauthorized(address caller);
    /// @notice The limit is frozen.
    error LimitIsFrozen();
    /// @notice A new limit must be non-zero, below the current limit and at least the minted supply.
    /// @param currentLimit The current limit (0 = open).
    /// @param requested The rejected limit.
    /// @param minted Tokens minted so far.
    error InvalidLimit(uint256 currentLimit, uint256 requested, uint256 minted);
    /// @notice There is nothing to withdraw.
    error NothingToWithdraw();
    /// @notice The caller is owed nothing.
    /// @param caller The caller.
    error NothingToClaim(address caller);
    /// @notice A claim could not be delivered to the address its owner chose.
    /// @param to The address.
    /// @param amount Wei.
    error TransferFailed(address to, uint256 amount);
    /// @notice The implementation holds no terms; use a clone.
    error NotAClone();

    modifier onlyAuthor() {
        if (msg.sender != owner()) revert Unauthorized(msg.sender);
        _;
    }

    /// @notice Deploys the implementation; the deployer is the factory whose fee recipient editions pay.
    /// @dev The implementation's own storage is sealed sold out and frozen (clones start from empty
    ///      storage), so nothing can be minted on it without a check on the sale path.
    constructor() {
        FACTORY = msg.sender;
        IMPLEMENTATION = address(this);
        _supply = 1 | (1 << LIMIT_SHIFT) | LIMIT_FROZEN;
    }

    /// @notice Buys the next token for `to` at exactly the edition's price.
    /// @dev Mints without the receiver hook, as editions usually do: a sale must not depend on, or call
    ///      into, the recipient's code.
    /// @param to Recipient of the token.
    /// @param message A note to the author, emitted in {Purchased}.
    /// @return tokenId The minted token id.
    function purchase(address to, string calldata message) external payable returns (uint256 tokenId) {
        // No implementation check here (see the constructor): the sale path stays as short as it can.
        uint256 terms = EditionArgs.terms();
        uint256 unitPrice = EditionArgs.price(terms);
        if (msg.value != unitPrice) revert IncorrectPayment(unitPrice, msg.value);
        tokenId = _mintNext(to, terms);
        // Same as `emit Purchased(tokenId, to, unitPrice, message)`, encoded straight from calldata.
        bytes32 topic = Purchased.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, unitPrice)
            mstore(add(ptr, 0x20), 0x40)
            mstore(add(ptr, 0x40), message.length)
            // Zero the last word first so the padding after the message is clean.
            let padded := and(add(message.length, 0x1f), not(0x1f))
            mstore(add(add(ptr, 0x40), padded), 0)
            calldatacopy(add(ptr, 0x60), message.offset, message.length)
            log3(ptr, add(0x60, padded), topic, tokenId, to)
        }
    }

    /// @notice Mints the next token for free; author only. Counts against the limit.
    /// @param to Recipient of the token.
    /// @return tokenId The minted token id.
    function ownerMint(address to) external onlyAuthor returns (uint256 tokenId) {
        tokenId = _mintNext(to, _terms());
    }

    /// @notice Lowers the supply limit (or limits an open edition); author only.
    /// @param newLimit Non-zero, below the current limit, and at least the minted supply.
    function setLimit(uint64 newLimit) external onlyAuthor {
        uint256 supply = _supply;
        if (supply & LIMIT_FROZEN != 0) revert LimitIsFrozen();
        uint256 current = _limit(supply, EditionArgs.terms());
        uint256 minted = supply & MINTED_MASK;
        if (newLimit == 0 || newLimit < minted || (current != 0 && newLimit >= current)) {
            revert InvalidLimit(current, newLimit, minted);
        }
        _supply = minted | (uint256(newLimit) << LIMIT_SHIFT);
        emit LimitChanged(current, newLimit);
    }

    /// @notice Freezes the supply limit for good; author only.
    function freezeLimit() external onlyAuthor {
        uint256 supply = _supply;
        if (supply & LIMIT_FROZEN != 0) revert LimitIsFrozen();
        _supply = supply | LIMIT_FROZEN;
        emit LimitFrozen(_limit(supply, EditionArgs.terms()));
    }

    /// @notice Pays out everything the edition holds: the platform fee (at the rate fixed at creation) to
    ///         the platform, the rest to the funding recipient. Callable by anyone.
    /// @dev A recipient that refuses its payment (or needs more than `PAYOUT_GAS`) is credited instead;
    ///      the other recipient is paid regardless. Credits are retried by the next call, or taken with
    ///      {claim}.
    function withdraw() external nonReentrant {
        uint256 feeRate = EditionArgs.feeBps(_terms());
        Credits memory credits = _credits;
        uint256 proceeds = address(this).balance - credits.funding - credits.platform;
        uint256 fee = (proceeds * feeRate) / BPS;
        uint256 funding = credits.funding + proceeds - fee;
        uint256 platform = credits.platform + fee;
        if (funding == 0 && platform == 0) revert NothingToWithdraw();

        delete _credits;
        funding = _payOrCredit(Payee.Funding, fundingRecipient(), funding);
        if (platform != 0) platform = _payOrCredit(Payee.Platform, _platformRecipient(), platform);
        // Balances are bounded by the ether supply, far below 2**128.
        if (funding != 0 || platform != 0) _credits = Credits(uint128(funding), uint128(platform));
    }

    /// @notice Sends the caller's credited payments to an address of its choice. For a funding or fee
    ///         recipient that cannot receive ether itself (or needs more gas than {withdraw} forwards).
    /// @param to Where to send the credit.
    function claim(address payable to) external nonReentrant {
        Credits memory credits = _credits;
        uint256 amount;
        if (credits.funding != 0 && msg.sender == fundingRecipient()) {
            emit Withdrawn(Payee.Funding, to, credits.funding);
            amount = credits.funding;
            credits.funding = 0;
        }
        if (credits.platform != 0 && msg.sender == _platformRecipient()) {
            emit Withdrawn(Payee.Platform, to, credits.platform);
            amount += credits.platform;
            credits.platform = 0;
        }
        if (amount == 0) revert NothingToClaim(msg.sender);
        _credits = credits;
        if (!_send(to, amount, gasleft())) revert TransferFailed(to, amount);
    }

    /// @notice The author, who controls owner mints and the limit. Named `owner` for marketplaces.
    /// @return The author's address.
    function owner() public view returns (address) {
        return EditionArgs.addressAt(EditionArgs.AUTHOR);
    }

    /// @notice Receives proceeds and royalties.
    /// @return The funding recipient.
    function fundingRecipient() public view returns (address) {
        return EditionArgs.addressAt(EditionArgs.FUNDING_RECIPIENT);
    }

    /// @notice The price of one token.
    /// @return Wei.
    function price() external view returns (uint256) {
        return EditionArgs.price(EditionArgs.terms());
    }

    /// @notice The current supply limit.
    /// @return The limit; 0 means open.
    function limit() external view returns (uint256) {
        return _limit(_supply, EditionArgs.terms());
    }

    /// @notice Whether the limit can still change.
    /// @return True once frozen.
    function limitFrozen() external view returns (bool) {
        return _supply & LIMIT_FROZEN != 0;
    }

    /// @notice Tokens minted so far; ids run from 1 to this number.
    /// @return The supply.
    function totalSupply() external view returns (uint256) {
        return _supply & MINTED_MASK;
    }

    /// @notice The platform fee fixed at creation.
    /// @return Basis points of the proceeds.
    function feeBps() external view returns (uint256) {
        return EditionArgs.feeBps(EditionArgs.terms());
    }

    /// @notice The essay this edition collects.
    /// @return The raw 32-byte Arweave transaction id.
    function contentId() external view returns (bytes32) {
        return EditionArgs.word(EditionArgs.CONTENT_ID);
    }

    /// @notice The JSON metadata every token shares.
    /// @return The raw 32-byte Arweave transaction id.
    function metadataId() external view returns (bytes32) {
        return EditionArgs.word(EditionArgs.METADATA_ID);
    }

    /// @notice The factory that created this edition.
    /// @return Its address.
    function factory() external view returns (address) {
        return FACTORY;
    }

    /// @notice Payments waiting for {withdraw} or {claim}.
    /// @return funding Wei credited to the funding recipient.
    /// @return platform Wei credited to the platform.
    function pendingPayments() external view nonReentrantView returns (uint256 funding, uint256 platform) {
        Credits memory credits = _credits;
        return (credits.funding, credits.platform);
    }

    /// @notice The edition's name.
    /// @return The ERC-721 name.
    function name() external view returns (string memory) {
        (string memory value, ) = EditionArgs.stringAt(EditionArgs.NAME);
        return value;
    }

    /// @notice The edition's symbol.
    /// @return The ERC-721 symbol.
    function symbol() external view returns (string memory) {
        (, uint256 symbolOffset) = EditionArgs.stringAt(EditionArgs.NAME);
        (string memory value, ) = EditionArgs.stringAt(symbolOffset);
        return value;
    }

    /// @notice Metadata of an existing token; all tokens of an edition share it.
    /// @param tokenId The token.
    /// @return `ar://` followed by the metadata's base64url Arweave id.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        _requireOwned(tokenId);
        return _metadataURI();
    }

    /// @notice Collection-level metadata (ERC-7572); the same Arweave document as the tokens'.
    /// @return `ar://` followed by the metadata's base64url Arweave id.
    function contractURI() external view returns (string memory) {
        return _metadataURI();
    }

    /// @notice EIP-2981 royalty for any token.
    /// @param salePrice The sale price.
    /// @return receiver The funding recipient.
    /// @return royaltyAmount `salePrice` times the royalty rate.
    function royaltyInfo(uint256, uint256 salePrice) external view returns (address receiver, uint256 royaltyAmount) {
        return (fundingRecipient(), (salePrice * EditionArgs.royaltyBps(EditionArgs.terms())) / BPS);
    }

    /// @notice ERC-165: ERC-721, ERC-721 Metadata, EIP-2981 and ERC-165 itself.
    /// @param interfaceId The interface id.
    /// @return Whether it is supported.
    function supportsInterface(bytes4 interfaceId) public view override(EditionERC721, IERC165) returns (bool) {
        return interfaceId == type(IERC2981).interfaceId || super.supportsInterface(interfaceId);
    }

    function _mintNext(address to, uint256 terms) private returns (uint256 tokenId) {
        uint256 supply = _supply;
        // {_limit}, written out: the call costs ~50 gas, and this runs on every sale.
        uint256 currentLimit = uint64(supply >> LIMIT_SHIFT);
        if (currentLimit == 0) currentLimit = EditionArgs.limit(terms);
        // The count is the low field and no edition mints 2**64 tokens: neither addition carries.
        unchecked {
            tokenId = (supply & MINTED_MASK) + 1;
            if (currentLimit != 0 && tokenId > currentLimit) revert SoldOut(currentLimit);
            _supply = supply + 1;
        }
        _mint(to, tokenId);
    }

    function _payOrCredit(Payee payee, address recipient, uint256 amount) private returns (uint256 unpaid) {
        if (amount == 0) return 0;
        if (_send(recipient, amount, PAYOUT_GAS)) {
            emit Withdrawn(payee, recipient, amount);
            return 0;
        }
        emit PaymentDeferred(payee, recipient, amount);
        return amount;
    }

    function _send(address to, uint256 amount, uint256 gasLimit) private returns (bool success) {
        // No return data is copied: a recipient cannot make the payer pay for a large revert reason.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            success := call(gasLimit, to, amount, 0, 0, 0, 0)
        }
    }

    function _terms() private view returns (uint256) {
        if (address(this) == IMPLEMENTATION) revert NotAClone();
        return EditionArgs.terms();
    }

    function _limit(uint256 supply, uint256 terms) private pure returns (uint256 currentLimit) {
        currentLimit = uint64(supply >> LIMIT_SHIFT);
        if (currentLimit == 0) currentLimit = EditionArgs.limit(terms);
    }

    function _platformRecipient() private view returns (address) {
        return IWritingEditionsFactory(FACTORY).feeRecipient();
    }

    function _metadataURI() private view returns (string memory) {
        return string.concat("ar://", Base64.encodeURL(abi.encodePacked(EditionArgs.word(EditionArgs.METADATA_ID))));
    }
}
