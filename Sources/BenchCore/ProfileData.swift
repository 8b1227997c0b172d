/// The built-in profiles' text, embedded in the module from `Profiles/` (SwiftPM's
/// `embedInCode`), so `bench` finds them from any directory and as a copied binary.
enum ProfileData {
    static func text(_ name: String) -> [UInt8] {
        switch name {
        case "minimal": PackageResources.minimal_profile
        case "browser": PackageResources.browser_profile
        default: []
        }
    }
}
