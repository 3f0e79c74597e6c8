namespace GridActors.Runtime.Activation;

/// <summary>The life cycle of an activation.</summary>
internal enum ActivationStatus
{
    Creating,
    Valid,
    Deactivating,
    Invalid,
}
