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
/// @dev Storage per sale: the first token's owner slot, the buyer's balance slot and one packed state
///      slot (plus the referrer's credit when a referral pays). Proceeds are the contract's balance less
///      what is credited; the platform fee is split off at withdrawal.
contract WritingEditions is EditionERC721, IERC2981, ReentrancyGuardTransient {
    /// @notice Who a payment is for.
    enum Payee {
        Funding,
        Platform,
        Referrer,
        Split
    }

    /// @dev One slot: payments that could not be sent and wait for {withdraw} or {claim}.
    struct Credits {
        uint128 funding;
        uint128 platform;
    }

    /// @dev One slot, used only by editions whose terms name a split recipient: where that recipient moved
    ///      its share (zero: the terms' address) and its payments that could not be sent.
    struct SplitAccount {
        address recipient;
        uint96 credit;
    }

    uint256 private constant BPS = 10_000;
    /// @notice The most copies one purchase can mint (it bounds the owner scan of a run).
    uint256 public constant MAX_QUANTITY = 50;
    /// @dev `_state` packs, low to high: 64 bits tokens minted; 64 bits the author's limit (0 = not set,
    ///      the clone's initial limit applies; a set limit is never 0); 1 bit "limit frozen"; 16 bits the
    ///      platform fee plus one when the factory set one below the terms' (0 = the terms' fee);
    ///      from bit 152, the wei credited to referrers and not yet claimed. One word, so a sale reads
    ///      and writes one slot, and a referral adds to it without touching another.
    uint256 private constant MINTED_MASK = type(uint64).max;
    uint256 private constant LIMIT_SHIFT = 64;
    uint256 private constant LIMIT_MASK = uint256(type(uint64).max) << LIMIT_SHIFT;
    uint256 private constant LIMIT_FROZEN = 1 << 128;
    uint256 private constant FEE_SHIFT = 129;
    uint256 private constant REFERRALS_SHIFT = 152;
    /// @dev Enough for smart-wallet `receive` hooks; bounded so that one recipient cannot burn the gas
    ///      the other recipient's payment needs. A recipient that needs more is credited and can {claim}.
    uint256 private constant PAYOUT_GAS = 100_000;

    address private immutable FACTORY;
    address private immutable IMPLEMENTATION;

    uint256 private _state;
    Credits private _credits;
    /// @dev Set when the author moved the proceeds; zero means the terms' funding recipient.
    address private _fundingRecipient;
    mapping(address referrer => uint256 credit) private _referralCredits;
    SplitAccount private _split;

    /// @notice A purchase named a referrer. It follows the purchase's `Transfer` events (a buyer's note
    ///         to the author is the data of the purchase's first `Transfer`, as raw UTF-8).
    /// @param referrer Who referred the buyer.
    /// @param reward Wei credited to the referrer, for {claim} (0 when the edition pays no referrals).
    event Referred(address indexed referrer, uint256 reward);

    /// @notice The author minted a token for free ({ownerMint}); every other mint is a sale at {price}.
    /// @param tokenId The token.
    event OwnerMinted(uint256 indexed tokenId);

    /// @notice The author lowered the supply limit.
    /// @param previousLimit The limit before (0 = open).
    /// @param newLimit The new limit.
    event LimitChanged(uint256 indexed previousLimit, uint256 indexed newLimit);

    /// @notice The author froze the supply limit; it can no longer change.
    /// @param limit The final limit (0 = open forever).
    event LimitFrozen(uint256 indexed limit);

    /// @notice The author moved the proceeds (and royalties, and any credited proceeds) to a new address.
    /// @param previousRecipient The funding recipient before.
    /// @param newRecipient The funding recipient from now on.
    event FundingRecipientChanged(address indexed previousRecipient, address indexed newRecipient);

    /// @notice The split recipient moved its share (and any of its credited payments) to a new address.
    /// @param previousRecipient The split recipient before.
    /// @param newRecipient The split recipient from now on.
    event SplitRecipientChanged(address indexed previousRecipient, address indexed newRecipient);

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

    /// @notice The value sent is not the price of the copies bought.
    /// @param expected The price in wei.
    /// @param sent The value sent.
    error IncorrectPayment(uint256 expected, uint256 sent);
    /// @notice The limit leaves fewer tokens than asked for.
    /// @param limit The supply limit.
    error SoldOut(uint256 limit);
    /// @notice A purchase mints 1 to {MAX_QUANTITY} copies.
    /// @param quantity The rejected quantity.
    error InvalidQuantity(uint256 quantity);
    /// @notice Only the author (or, for the creation fee, the factory) may do this.
    /// @param caller The rejected caller.
    error Unauthorized(address caller);
    /// @notice The limit is frozen.
    error LimitIsFrozen();
    /// @notice A new limit must be non-zero, below the current limit and at least the minted supply.
    /// @param currentLimit The current limit (0 = open).
    /// @param requested The rejected limit.
    /// @param minted Tokens minted so far.
    error InvalidLimit(uint256 currentLimit, uint256 requested, uint256 minted);
    /// @notice The funding recipient cannot be the zero address.
    error ZeroAddress();
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
        _state = 1 | (1 << LIMIT_SHIFT) | LIMIT_FROZEN;
    }

    /// @notice Buys the next token for the caller at exactly the edition's price, with an optional note:
    ///         the cheapest way to collect, and the one most collectors take. {purchase} buys for someone
    ///         else; {collect} buys several, or names a referrer.
    /// @dev Mints without the receiver hook, as editions usually do: a sale must not depend on, or call
    ///      into, the recipient's code.
    /// @param message A note to the author: the data of the token's `Transfer` log, as raw UTF-8.
    /// @return tokenId The minted token id.
    function buy(string calldata message) external payable returns (uint256 tokenId) {
        tokenId = _buyOne(msg.sender, message);
    }

    /// @notice Buys the next token for `to` (a gift, or a wallet other than the payer's) at exactly the
    ///         edition's price.
    /// @param to Recipient of the token.
    /// @param message A note to the author: the data of the token's `Transfer` log, as raw UTF-8.
    /// @return tokenId The minted token id.
    function purchase(address to, string calldata message) external payable returns (uint256 tokenId) {
        tokenId = _buyOne(to, message);
    }

    /// @notice Buys `quantity` consecutive tokens for `to`, paying the price of each; `referrer`, if not
    ///         zero, is credited the edition's referral share of the payment.
    /// @param to Recipient of the tokens.
    /// @param quantity 1 to {MAX_QUANTITY}.
    /// @param referrer Who referred the buyer, or the zero address.
    /// @param message A note to the author: the data of the first token's `Transfer` log, as raw UTF-8.
    /// @return firstTokenId The first id minted; the others follow it.
    function collect(
        address to,
        uint256 quantity,
        address referrer,
        string calldata message
    ) external payable returns (uint256 firstTokenId) {
        if (quantity == 0 || quantity > MAX_QUANTITY) revert InvalidQuantity(quantity);
        uint256 terms = EditionArgs.terms();
        // Both factors are bounded (96 bits, 6 bits): the product cannot overflow.
        uint256 total = EditionArgs.price(terms) * quantity;
        if (msg.value != total) revert IncorrectPayment(total, msg.value);
        uint256 reward;
        if (referrer != address(0)) {
            reward = (total * EditionArgs.referralBps(terms)) / BPS;
            if (reward != 0) _referralCredits[referrer] += reward;
        }
        firstTokenId = _mintNext(to, terms, quantity, reward, message);
        if (referrer != address(0)) emit Referred(referrer, reward);
    }

    /// @notice Mints the next token for free; author only. Counts against the limit.
    /// @param to Recipient of the token.
    /// @return tokenId The minted token id.
    function ownerMint(address to) external onlyAuthor returns (uint256 tokenId) {
        // An empty calldata slice: the free mint carries no note.
        tokenId = _mintNext(to, _terms(), 1, 0, string(msg.data[0:0]));
        emit OwnerMinted(tokenId);
    }

    /// @notice Lowers the supply limit (or limits an open edition); author only.
    /// @param newLimit Non-zero, below the current limit, and at least the minted supply.
    function setLimit(uint64 newLimit) external onlyAuthor {
        uint256 state = _state;
        if (state & LIMIT_FROZEN != 0) revert LimitIsFrozen();
        uint256 current = _limit(state, EditionArgs.terms());
        uint256 minted = state & MINTED_MASK;
        if (newLimit == 0 || newLimit < minted || (current != 0 && newLimit >= current)) {
            revert InvalidLimit(current, newLimit, minted);
        }
        _state = (state & ~LIMIT_MASK) | (uint256(newLimit) << LIMIT_SHIFT);
        emit LimitChanged(current, newLimit);
    }

    /// @notice Freezes the supply limit for good; author only.
    function freezeLimit() external onlyAuthor {
        uint256 state = _state;
        if (state & LIMIT_FROZEN != 0) revert LimitIsFrozen();
        _state = state | LIMIT_FROZEN;
        emit LimitFrozen(_limit(state, EditionArgs.terms()));
    }

    /// @notice Moves the proceeds, the royalties and any proceeds credited but not yet paid to
    ///         `newRecipient`; author only. For a recipient that was lost or cannot receive ether.
    /// @param newRecipient Non-zero.
    function setFundingRecipient(address newRecipient) external onlyAuthor {
        if (newRecipient == address(0)) revert ZeroAddress();
        address previous = fundingRecipient();
        _fundingRecipient = newRecipient;
        emit FundingRecipientChanged(previous, newRecipient);
    }

    /// @notice Moves the split recipient's share, and any of its payments credited but not yet paid, to
    ///         `newRecipient`; the split recipient only. The author cannot move it, and nobody can change the
    ///         split rate.
    /// @param newRecipient Non-zero.
    function setSplitRecipient(address newRecipient) external {
        address current = splitRecipient();
        // An edition without a split has the zero address as its split recipient, which never sends.
        if (msg.sender != current) revert Unauthorized(msg.sender);
        if (newRecipient == address(0)) revert ZeroAddress();
        _split.recipient = newRecipient;
        emit SplitRecipientChanged(current, newRecipient);
    }

    /// @notice Takes royalties (see {royaltyInfo}) and any other ether as proceeds, shared as a sale's are.
    receive() external payable {}

    /// @notice Sets the platform fee below the terms' when the factory's fee was lower at creation;
    ///         the factory only, once, right after it creates the edition.
    /// @param newFeeBps The fee, below the terms' fee.
    function initializeFee(uint256 newFeeBps) external {
        // Nothing has happened to a clone's storage before its factory calls this.
        if (msg.sender != FACTORY || _state != 0 || newFeeBps >= EditionArgs.feeBps(_terms())) {
            revert Unauthorized(msg.sender);
        }
        _state = (newFeeBps + 1) << FEE_SHIFT;
    }

    /// @notice Pays out the proceeds the edition holds: the platform fee (at the rate fixed at creation) to
    ///         the platform, the split recipient's share of the rest to it, and what remains to the
    ///         funding recipient. Callable by anyone. Referral rewards stay for their referrers' {claim}.
    /// @dev The split is made here, not at each sale, so a sale pays nothing for it. The split share is
    ///      rounded down and the funding recipient takes the remainder: the shares sum to the proceeds.
    ///      A recipient that refuses its payment (or needs more than `PAYOUT_GAS`) is credited instead;
    ///      the others are paid regardless. Credits are retried by the next call, or taken with {claim}.
    function withdraw() external nonReentrant {
        uint256 state = _state;
        uint256 terms = _terms();
        (address splitTo, uint256 splitRate) = EditionArgs.split();
        Credits memory credits = _credits;
        SplitAccount memory split;
        if (splitRate != 0) split = _split;
        uint256 proceeds = address(this).balance - credits.funding - credits.platform - split.credit -
            (state >> REFERRALS_SHIFT);
        uint256 fee = (proceeds * _feeBps(state, terms)) / BPS;
        uint256 share = ((proceeds - fee) * splitRate) / BPS;
        uint256 funding = credits.funding + proceeds - fee - share;
        uint256 platform = credits.platform + fee;
        share += split.credit;
        if (funding == 0 && platform == 0 && share == 0) revert NothingToWithdraw();

        delete _credits;
        if (split.credit != 0) _split.credit = 0;
        funding = _payOrCredit(Payee.Funding, fundingRecipient(), funding);
        if (platform != 0) platform = _payOrCredit(Payee.Platform, _platformRecipient(), platform);
        // Balances are bounded by the ether supply, far below 2**96.
        if (funding != 0 || platform != 0) _credits = Credits(uint128(funding), uint128(platform));
        if (share != 0) {
            share = _payOrCredit(Payee.Split, _either(split.recipient, splitTo), share);
            if (share != 0) _split.credit = uint96(share);
        }
    }

    /// @notice Sends everything the edition owes the caller to an address of its choice: referral
    ///         rewards, and the credited payments of a funding or fee recipient that could not receive
    ///         ether itself (or needed more gas than {withdraw} forwards).
    /// @param to Where to send it.
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
        (address splitTo, ) = EditionArgs.split();
        if (splitTo != address(0)) {
            SplitAccount memory split = _split;
            if (split.credit != 0 && msg.sender == _either(split.recipient, splitTo)) {
                emit Withdrawn(Payee.Split, to, split.credit);
                amount += split.credit;
                _split.credit = 0;
            }
        }
        uint256 reward = _referralCredits[msg.sender];
        if (reward != 0) {
            emit Withdrawn(Payee.Referrer, to, reward);
            amount += reward;
            delete _referralCredits[msg.sender];
            _state -= reward << REFERRALS_SHIFT;
        }
        if (amount == 0) revert NothingToClaim(msg.sender);
        _credits = credits;
        if (!_send(to, amount, gasleft())) revert TransferFailed(to, amount);
    }

    /// @notice The author, who controls owner mints, the limit and the funding recipient. Named `owner`
    ///         for marketplaces.
    /// @return The author's address.
    function owner() public view returns (address) {
        return EditionArgs.addressAt(EditionArgs.AUTHOR);
    }

    /// @notice Receives proceeds and royalties.
    /// @return The funding recipient.
    function fundingRecipient() public view returns (address) {
        address moved = _fundingRecipient;
        return moved != address(0) ? moved : EditionArgs.addressAt(EditionArgs.FUNDING_RECIPIENT);
    }

    /// @notice Receives the split share of the proceeds; the zero address when the terms name none.
    /// @return The split recipient.
    function splitRecipient() public view returns (address) {
        (address fixedRecipient, ) = EditionArgs.split();
        if (fixedRecipient == address(0)) return address(0);
        return _either(_split.recipient, fixedRecipient);
    }

    /// @notice The split recipient's share of the proceeds after the platform fee, fixed at creation.
    /// @return bps Basis points (0 = no split).
    function splitBps() external view returns (uint256 bps) {
        (, bps) = EditionArgs.split();
    }

    /// @notice The price of one token.
    /// @return Wei.
    function price() external view returns (uint256) {
        return EditionArgs.price(EditionArgs.terms());
    }

    /// @notice The current supply limit.
    /// @return The limit; 0 means open.
    function limit() external view returns (uint256) {
        return _limit(_state, EditionArgs.terms());
    }

    /// @notice Whether the limit can still change.
    /// @return True once frozen.
    function limitFrozen() external view returns (bool) {
        return _state & LIMIT_FROZEN != 0;
    }

    /// @notice Tokens minted so far; ids run from 1 to this number.
    /// @return The supply.
    function totalSupply() external view returns (uint256) {
        return _state & MINTED_MASK;
    }

    /// @notice The platform fee fixed at creation: the terms' fee, or the factory's if it was lower.
    /// @return Basis points of the proceeds.
    function feeBps() external view returns (uint256) {
        return _feeBps(_state, EditionArgs.terms());
    }

    /// @notice The share of each sale credited to the buyer's referrer.
    /// @return Basis points of the price.
    function referralBps() external view returns (uint256) {
        return EditionArgs.referralBps(EditionArgs.terms());
    }

    /// @notice Referral rewards `referrer` can {claim}.
    /// @param referrer The referrer.
    /// @return Wei.
    function referralCredit(address referrer) external view returns (uint256) {
        return _referralCredits[referrer];
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
    /// @return referrals Wei credited to referrers, in all.
    function pendingPayments()
        external
        view
        nonReentrantView
        returns (uint256 funding, uint256 platform, uint256 referrals)
    {
        Credits memory credits = _credits;
        return (credits.funding, credits.platform, _state >> REFERRALS_SHIFT);
    }

    /// @notice The split recipient's payments waiting for {withdraw} or {claim}.
    /// @return Wei.
    function pendingSplitPayment() external view nonReentrantView returns (uint256) {
        return _split.credit;
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
    /// @return receiver The funding recipient; the edition itself when the terms split the proceeds, so
    ///         royalties are shared by the same terms at {withdraw}.
    /// @return royaltyAmount `salePrice` times the royalty rate.
    function royaltyInfo(uint256, uint256 salePrice) external view returns (address receiver, uint256 royaltyAmount) {
        (, uint256 splitRate) = EditionArgs.split();
        receiver = splitRate != 0 ? address(this) : fundingRecipient();
        royaltyAmount = (salePrice * EditionArgs.royaltyBps(EditionArgs.terms())) / BPS;
    }

    /// @notice ERC-165: ERC-721, ERC-721 Metadata, EIP-2981 and ERC-165 itself.
    /// @param interfaceId The interface id.
    /// @return Whether it is supported.
    function supportsInterface(bytes4 interfaceId) public view override(EditionERC721, IERC165) returns (bool) {
        return interfaceId == type(IERC2981).interfaceId || super.supportsInterface(interfaceId);
    }

    function _mintNext(
        address to,
        uint256 terms,
        uint256 quantity,
        uint256 reward,
        string calldata note
    ) private returns (uint256 firstId) {
        uint256 state = _state;
        // {_limit}, written out: the call costs ~50 gas, and this runs on every sale.
        uint256 currentLimit = uint64(state >> LIMIT_SHIFT);
        if (currentLimit == 0) currentLimit = EditionArgs.limit(terms);
        // The count is the low field, no edition mints 2**64 tokens and a reward is bounded by the ether
        // supply: neither addition carries out of its field.
        unchecked {
            firstId = (state & MINTED_MASK) + 1;
            if (currentLimit != 0 && firstId + quantity - 1 > currentLimit) revert SoldOut(currentLimit);
            _state = state + quantity + (reward << REFERRALS_SHIFT);
        }
        _mint(to, firstId, quantity, note);
    }

    function _totalMinted() internal view override returns (uint256) {
        return _state & MINTED_MASK;
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

    function _buyOne(address to, string calldata message) private returns (uint256 tokenId) {
        // {collect} with one copy and no referrer: the price check and the supply count written out in
        // one block (the path most collectors take), then the shared mint. No implementation check
        // (see the constructor).
        bytes4 incorrectPayment = IncorrectPayment.selector;
        bytes4 soldOut = SoldOut.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // The packed terms (price, limit, rates): one word of the clone's own code, as {EditionArgs.terms}.
            extcodecopy(address(), 0x00, add(0x2d, 40), 0x20)
            let terms := mload(0x00)
            let unitPrice := shr(160, terms)
            if iszero(eq(callvalue(), unitPrice)) {
                mstore(0x00, incorrectPayment)
                mstore(0x04, unitPrice)
                mstore(0x24, callvalue())
                revert(0x00, 0x44)
            }
            let state := sload(_state.slot)
            let currentLimit := and(shr(LIMIT_SHIFT, state), 0xffffffffffffffff)
            if iszero(currentLimit) {
                currentLimit := and(shr(96, terms), 0xffffffffffffffff)
            }
            tokenId := add(and(state, 0xffffffffffffffff), 1)
            if and(iszero(iszero(currentLimit)), gt(tokenId, currentLimit)) {
                mstore(0x00, soldOut)
                mstore(0x04, currentLimit)
                revert(0x00, 0x24)
            }
            sstore(_state.slot, add(state, 1))
        }
        _mint(to, tokenId, 1, message);
    }

    function _terms() private view returns (uint256) {
        if (address(this) == IMPLEMENTATION) revert NotAClone();
        return EditionArgs.terms();
    }

    function _limit(uint256 state, uint256 terms) private pure returns (uint256 currentLimit) {
        currentLimit = uint64(state >> LIMIT_SHIFT);
        if (currentLimit == 0) currentLimit = EditionArgs.limit(terms);
    }

    function _feeBps(uint256 state, uint256 terms) private pure returns (uint256) {
        uint256 lowered = uint16(state >> FEE_SHIFT);
        return lowered != 0 ? lowered - 1 : EditionArgs.feeBps(terms);
    }

    /// @dev A moved recipient (non-zero) over the one the terms fix.
    function _either(address moved, address fixedRecipient) private pure returns (address) {
        return moved != address(0) ? moved : fixedRecipient;
    }

    function _platformRecipient() private view returns (address) {
        return IWritingEditionsFactory(FACTORY).feeRecipient();
    }

    function _metadataURI() private view returns (string memory) {
        return string.concat("ar://", Base64.encodeURL(abi.encodePacked(EditionArgs.word(EditionArgs.METADATA_ID))));
    }
}
