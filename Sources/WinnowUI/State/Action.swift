/// Everything that can happen to the workstation: input, and results of background work.
public enum Action: Sendable {
    case key(Key)
    case resize(TerminalSize)
    /// The session clock (seconds), sent now and then so the pace figure stays current.
    case tick(Double)
    case queueLoaded(name: String, slots: [QueueSlot], counts: [String: Int])
    /// Fresh open counts of every queue (the switcher asked for them).
    case queueCountsLoaded([String: Int])
    /// Another session decided, released or took items: the queue may be out of date.
    case othersChanged
    /// The queue read again after others changed the project; nil slots: nothing of
    /// theirs changed it.
    case queueRefreshed(name: String, slots: [QueueSlot]?, counts: [String: Int]?)
    case detailsLoaded([ItemDetails])
    case decisionSaved(SavedDecision)
    case decisionFailed(String)
    case undoSaved(items: [Int], message: String)
    case undoFailed(String)
    /// The decision or undo in flight could not reach the store (`StoreUnreachable`): it is
    /// kept, still unsaved, and tried again in `retryIn` seconds.
    case storeUnreachable(message: String, retryIn: Double)
    /// This reviewer's latest decision from an earlier session was taken back (nil: there
    /// was none to take back).
    case earlierUndone(EarlierUndo?)
    case similarLoaded(item: Int, [SimilarItem])
    case statsLoaded(ReviewStats)
    case imageFailed(item: Int, message: String)
    /// A picture finished decoding or encoding in the background: draw again.
    case imageReady(item: Int)
    case notice(StatusMessage)
    /// The queues' order changed behind the screen (a model retrained): refresh the queue.
    case queuesChanged
    /// Items another reviewer holds, or that no longer need this reviewer, each with why:
    /// they leave the queue.
    case unavailable([Int: Unavailable])
    /// Notes kept from earlier sessions (by image path), typed without a decision.
    case notesKept([String: String])
}

/// Work the reducer asks the application to do. Results come back as actions.
public enum Effect: Sendable, Hashable {
    case loadQueue(String)
    /// Count the open entries of every queue (for the switcher).
    case loadQueueCounts
    /// Read the queue again if others changed it (answered with `.queueRefreshed`).
    case refreshQueue(String)
    case loadDetails([Int])
    case decide(DecisionCommand)
    /// Take back the latest decision on each item.
    case undo(items: [Int])
    /// Take back this reviewer's latest decision still in effect, from any session.
    case undoEarlier
    case loadSimilar(Int)
    case loadStats
    /// Decode and encode these items' images ahead of time.
    case prefetchImages([Int])
    /// Hold these items (the one on screen and the next few) so no other reviewer is shown
    /// them; everything held before is let go. `queue`: the queue they come from.
    case hold(items: [Int], queue: String)
    /// Repaint the whole screen (Ctrl-L, or after a popup over an image).
    case redraw
    /// Fewer colours in images (less data over slow links).
    case lowerImageQuality
    /// More colours again.
    case raiseImageQuality
    /// Keep a note typed without a decision (nil: drop the kept one), so it is not lost if
    /// the reviewer moves on or quits; the next decision on the image takes it.
    case keepNote(item: Int, path: String, text: String?)
    case quit
}
