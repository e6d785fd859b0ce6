"""Running the Pulumi program with no cloud and no CLI: the fake AWS world,
the recording monitor and the runner that ties them to the SDK's mocks."""
